// buildfarm-exporter: node_exporter-compatible metrics for a build node.
#include "exporter/exporter_app.h"

int main(int argc, char** argv) { return buildfarm::exporter::RunExporter(argc, argv); }
