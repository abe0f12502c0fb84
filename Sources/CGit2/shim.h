#ifndef FAIRFLOW_CGIT2_SHIM_H
#define FAIRFLOW_CGIT2_SHIM_H
#include <git2.h>

// Option constants and struct initialisers that are macros in libgit2's headers.
static inline unsigned int cgit2_status_options_version(void) { return GIT_STATUS_OPTIONS_VERSION; }
static inline unsigned int cgit2_diff_options_version(void) { return GIT_DIFF_OPTIONS_VERSION; }
// git_libgit2_opts is variadic, which Swift cannot call.
static inline int cgit2_enable_fsync(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}
// syncfs(2) is a GNU extension the Swift Glibc module does not expose.
#ifdef __linux__
extern int syncfs(int fd);
static inline int cgit2_syncfs(int fd) { return syncfs(fd); }
#endif
#endif
