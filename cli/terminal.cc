#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>

namespace buildfarm::cli {

TerminalInfo DetectTerminal() {
  TerminalInfo info;
  info.stdout_tty = isatty(STDOUT_FILENO) == 1;
  info.stderr_tty = isatty(STDERR_FILENO) == 1;
  winsize size{};
  if (info.stdout_tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) info.columns = size.ws_col;
  return info;
}

Spinner::Spinner(std::ostream& err, std::string message, bool enabled) : err_(err), message_(std::move(message)) {
  if (!enabled) return;
  DrawLocked();  // before the thread exists, so a short wait still shows what is awaited
  thread_ = std::thread([this] { Loop(); });
}

Spinner::~Spinner() { Stop(); }

void Spinner::DrawLocked() {
  static constexpr const char* kFrames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  err_ << "\r" << kFrames[frame_++ % std::size(kFrames)] << " " << message_ << "\033[K";
  err_.flush();
  drawn_ = true;
}

void Spinner::Loop() {
  MutexLock lock(mutex_);
  while (!lock.WaitFor(stop_cv_, std::chrono::milliseconds(100), [this]() REQUIRES(mutex_) { return stopping_; })) {
    DrawLocked();
  }
}

void Spinner::Print(std::ostream& out, std::string_view text) {
  MutexLock lock(mutex_);
  ClearLocked();
  out << text;
  out.flush();
}

void Spinner::ClearLocked() {
  if (!drawn_) return;
  err_ << "\r\033[K";
  err_.flush();
  drawn_ = false;
}

void Spinner::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  MutexLock lock(mutex_);
  ClearLocked();
}

}  // namespace buildfarm::cli
