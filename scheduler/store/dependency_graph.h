// Cycle detection for job dependency graphs. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace buildfarm::scheduler {

// Edges: job -> the jobs it depends on. Returns one cycle as the list of ids along it with the first
// id repeated at the end ("a", "b", "a"), or an empty list when the graph is acyclic. Ids that are
// not keys are leaves.
std::vector<std::string> FindCycle(const std::map<std::string, std::vector<std::string>>& depends_on);

// "a -> b -> a"
std::string DescribeCycle(const std::vector<std::string>& cycle);

}  // namespace buildfarm::scheduler
