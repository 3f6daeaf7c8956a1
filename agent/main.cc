// buildfarm-agent: registers this node with the scheduler and runs the jobs it assigns.
#include "agent/agent_app.h"

int main(int argc, char** argv) { return buildfarm::agent::RunAgent(argc, argv); }
