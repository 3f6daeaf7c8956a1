// buildfarm-scheduler: load-aware build job scheduler with a JSON HTTP API.
#include "scheduler/server/scheduler_app.h"

int main(int argc, char** argv) { return buildfarm::scheduler::RunScheduler(argc, argv); }
