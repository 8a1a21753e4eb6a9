#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <seccomp.h>

#include "rsyncswap/sweep/sandbox.h"

/*
 * LeakSanitizer stops the world with ptrace when the process ends, and the
 * sanitizers' runtime makes calls the helper's loop never does: a
 * sanitized build (the tests') keeps ptrace and gives the helper the deny
 * list; every other build denies ptrace and gives the helper its allow list.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED	1
#endif
#endif

/* System calls the filtered process must never make. */
static const char *const denied[] = {
#ifndef SANITIZED
	"ptrace",
#endif
	"process_vm_readv", "process_vm_writev", "kcmp",
	"mount", "umount2", "pivot_root", "chroot", "move_mount",
	"open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
	"mount_setattr", "unshare", "setns", "swapon", "swapoff", "reboot",
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "bpf", "perf_event_open", "userfaultfd", "keyctl",
	"add_key", "request_key", "io_uring_setup", "io_uring_enter",
	"io_uring_register", "acct", "quotactl", "settimeofday",
	"clock_settime", "adjtimex", "clock_adjtime", "open_by_handle_at",
	"name_to_handle_at", "iopl", "ioperm", "syslog", "vhangup",
	"lookup_dcookie", "personality", "uselib", "fanotify_init",
};

/*
 * Loads a filter whose default is dflt and whose calls names (those this
 * kernel has) get action. Returns 0, or -1 with the reason in err.
 */
static int
load_filter(uint32_t dflt, uint32_t action, const char *const *names,
    size_t n, char *err, size_t errsz)
{
	scmp_filter_ctx ctx;
	int rc = 0, nr;

	if ((ctx = seccomp_init(dflt)) == NULL) {
		snprintf(err, errsz, "seccomp: cannot make a filter");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* A call this kernel or architecture does not have is fine. */
		if ((nr = seccomp_syscall_resolve_name(names[i])) ==
		    __NR_SCMP_ERROR)
			continue;
		if ((rc = seccomp_rule_add(ctx, action, nr, 0)) < 0) {
			snprintf(err, errsz, "seccomp: %s: %s", names[i],
			    strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	}
	if ((rc = seccomp_load(ctx)) < 0)
		snprintf(err, errsz, "seccomp: loading the filter: %s",
		    strerror(-rc));
	seccomp_release(ctx);
	return rc < 0 ? -1 : 0;
}

int
sandbox_apply(char *err, size_t errsz)
{
	return load_filter(SCMP_ACT_ALLOW, SCMP_ACT_ERRNO(EPERM), denied,
	    sizeof(denied) / sizeof(denied[0]), err, errsz);
}

/* The only system calls of the helper's loop (chown, /proc scan, answers). */
static const char *const helper_allowed[] = {
	"read", "write", "close", "recvfrom", "recvmsg", "sendto", "sendmsg",
	"openat", "open", "readlinkat", "readlink", "newfstatat", "fstat",
	"stat", "lstat", "statx", "fchownat", "getdents64", "getdents",
	"lseek", "fcntl", "getpid", "getppid", "exit", "exit_group", "brk",
	"mmap", "munmap", "mremap", "madvise", "clock_gettime",
	"gettimeofday", "time", "rt_sigreturn", "rt_sigprocmask", "futex",
	"restart_syscall",
};

int
sandbox_apply_helper(char *err, size_t errsz)
{
#ifdef SANITIZED
	/* The sanitizers' runtime needs more than the loop: the deny list. */
	(void)helper_allowed;
	return sandbox_apply(err, errsz);
#else
	/* Anything else fails with EPERM: a scan that fails falls back. */
	return load_filter(SCMP_ACT_ERRNO(EPERM), SCMP_ACT_ALLOW,
	    helper_allowed, sizeof(helper_allowed) /
	    sizeof(helper_allowed[0]), err, errsz);
#endif
}
