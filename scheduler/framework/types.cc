#include "scheduler/framework/plugin.h"
#include "scheduler/framework/types.h"

namespace buildfarm::scheduler {

const char* NodeStateName(NodeState state) {
  switch (state) {
    case NodeState::kReady: return "ready";
    case NodeState::kCordoned: return "cordoned";
    case NodeState::kDraining: return "draining";
    case NodeState::kDown: return "down";
  }
  return "unknown";
}

const char* VerdictKindName(Verdict::Kind kind) {
  switch (kind) {
    case Verdict::Kind::kFits: return "fits";
    case Verdict::Kind::kUnschedulable: return "unschedulable";
    case Verdict::Kind::kError: return "error";
  }
  return "unknown";
}

}  // namespace buildfarm::scheduler
