// What build-cli knows about where its output goes: whether stdout and stderr are terminals and how
// wide the terminal is, and the spinner shown on stderr during long waits (`logs -f`).
//
// DetectTerminal() reads the process's file descriptors; tests pass a TerminalInfo of their own.
// Spinner runs one thread of its own; its methods may be called from one other thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>

#include "common/mutex.h"

namespace buildfarm::cli {

struct TerminalInfo {
  bool stdout_tty = false;
  bool stderr_tty = false;
  std::size_t columns = 0;  // the terminal's width (TIOCGWINSZ on stdout); 0 when unknown
};

// isatty() on fds 1 and 2, and the width of the terminal on stdout.
TerminalInfo DetectTerminal();

// A one-line "⠋ MESSAGE" animation on `err`: drawn at construction, redrawn every 100 ms until Stop()
// or destruction, which erase it.
// Print() erases it, then writes to `out` (stdout, often the same terminal), so the two never mix
// on one line; the next tick draws it again. When `enabled` is false Print() only writes.
class Spinner {
 public:
  Spinner(std::ostream& err, std::string message, bool enabled);
  ~Spinner();
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;

  void Print(std::ostream& out, std::string_view text);
  void Stop();

 private:
  void Loop();
  void DrawLocked() REQUIRES(mutex_);
  void ClearLocked() REQUIRES(mutex_);

  std::ostream& err_;
  std::string message_;
  Mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool drawn_ GUARDED_BY(mutex_) = false;
  std::size_t frame_ GUARDED_BY(mutex_) = 0;
  std::thread thread_;
};

}  // namespace buildfarm::cli
