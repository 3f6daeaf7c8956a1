// Clang's thread-safety attributes (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html) as macros, so
// that -Wthread-safety checks at compile time that members marked GUARDED_BY(mu_) are only touched with
// mu_ held. With other compilers the macros expand to nothing. Use them with buildfarm::Mutex
// (common/mutex.h): libstdc++'s std::mutex carries no annotations, so the analysis cannot see it.
//
// Thread safety: compile-time only; nothing here exists at run time.
#pragma once

#if defined(__clang__)
#define BUILDFARM_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define BUILDFARM_THREAD_ANNOTATION(x)
#endif

// On a class: it is a lock (e.g. CAPABILITY("mutex")).
#define CAPABILITY(x) BUILDFARM_THREAD_ANNOTATION(capability(x))
// On a class: an RAII object that holds a capability for its lifetime.
#define SCOPED_CAPABILITY BUILDFARM_THREAD_ANNOTATION(scoped_lockable)
// On a member: read or written only with the named mutex held.
#define GUARDED_BY(x) BUILDFARM_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: what it points to is guarded by the named mutex.
#define PT_GUARDED_BY(x) BUILDFARM_THREAD_ANNOTATION(pt_guarded_by(x))
// On a function: callers must hold (REQUIRES) or must not hold (EXCLUDES) the named mutexes.
#define REQUIRES(...) BUILDFARM_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) BUILDFARM_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// On a function: it takes (ACQUIRE) or gives up (RELEASE) the named mutexes, or `this` when none is named.
#define ACQUIRE(...) BUILDFARM_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) BUILDFARM_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// On a function: tells the analysis the mutex is held here (checked at run time by nothing).
#define ASSERT_CAPABILITY(x) BUILDFARM_THREAD_ANNOTATION(assert_capability(x))
// On a function that returns a reference to a mutex.
#define RETURN_CAPABILITY(x) BUILDFARM_THREAD_ANNOTATION(lock_returned(x))
// Opts one function out of the analysis; say why next to it.
#define NO_THREAD_SAFETY_ANALYSIS BUILDFARM_THREAD_ANNOTATION(no_thread_safety_analysis)
