#include "scheduler/store/dependency_graph.h"

#include <algorithm>

namespace buildfarm::scheduler {

std::vector<std::string> FindCycle(const std::map<std::string, std::vector<std::string>>& depends_on) {
  enum class Mark { kUnvisited, kOnPath, kDone };
  std::map<std::string, Mark> marks;
  // Iterative DFS so that a long dependency chain cannot overflow the stack.
  for (const auto& [root, ignored] : depends_on) {
    if (marks[root] != Mark::kUnvisited) continue;
    std::vector<std::pair<std::string, std::size_t>> stack{{root, 0}};
    marks[root] = Mark::kOnPath;
    while (!stack.empty()) {
      auto& [node, next_edge] = stack.back();
      auto it = depends_on.find(node);
      if (it == depends_on.end() || next_edge >= it->second.size()) {
        marks[node] = Mark::kDone;
        stack.pop_back();
        continue;
      }
      const std::string& dep = it->second[next_edge++];
      Mark& mark = marks[dep];
      if (mark == Mark::kOnPath) {
        std::vector<std::string> cycle;
        auto start = std::find_if(stack.begin(), stack.end(), [&](const auto& frame) { return frame.first == dep; });
        for (auto frame = start; frame != stack.end(); ++frame) cycle.push_back(frame->first);
        cycle.push_back(dep);
        return cycle;
      }
      if (mark == Mark::kUnvisited) {
        mark = Mark::kOnPath;
        stack.emplace_back(dep, 0);
      }
    }
  }
  return {};
}

std::string DescribeCycle(const std::vector<std::string>& cycle) {
  std::string out;
  for (const auto& id : cycle) {
    if (!out.empty()) out += " -> ";
    out += id;
  }
  return out;
}

}  // namespace buildfarm::scheduler
