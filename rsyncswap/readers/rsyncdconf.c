/*
 * An rsync daemon's configuration, read for its module paths only
 * (rsyncd.conf(5): "name = value" lines, '#' and ';' comments, "[module]"
 * sections; a "path" of the global section is every module's default).
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/readers/rsyncdconf.h"

/* The option of rsync's own command line that names the file. */
#define CONFIG_OPT	"--config"

/*
 * Puts the configuration file the command line names (or the default)
 * into out. Returns 0, or -1 when it does not fit.
 */
static int
conf_of_cmdline(const char *cmdline, size_t len, char *out, size_t outsz)
{
	const char	*arg, *val = RSYNCD_CONF_DEFAULT;
	size_t		 i, optlen = strlen(CONFIG_OPT);

	for (i = 0; i < len; i += strlen(cmdline + i) + 1) {
		arg = cmdline + i;
		if (strncmp(arg, CONFIG_OPT "=", optlen + 1) == 0)
			val = arg + optlen + 1;
		else if (strcmp(arg, CONFIG_OPT) == 0 &&
		    i + optlen + 1 < len)
			val = arg + optlen + 1;
	}
	return (size_t)snprintf(out, outsz, "%s", val) < outsz ? 0 : -1;
}

/* Returns 1 if the path p is base or lies below it. */
static int
is_under(const char *p, const char *base)
{
	size_t	bl = strlen(base);

	return strncmp(p, base, bl) == 0 && (p[bl] == '\0' || p[bl] == '/' ||
	    (bl > 0 && base[bl - 1] == '/'));
}

/*
 * Returns 1 if the module path val (absolute, as the daemon below root
 * sees it) lies in base: its real path if it exists, else its text.
 */
static int
module_in(const char *root, const char *val, const char *base)
{
	char	host[PATH_MAX], real[PATH_MAX];

	if ((size_t)snprintf(host, sizeof(host), "%s%s", strcmp(root, "/") ==
	    0 ? "" : root, val) >= sizeof(host))
		return 0;
	if (realpath(host, real) != NULL)
		return is_under(real, base);
	return is_under(host, base);
}

/* Returns s without the white space at its end (written in place). */
static char *
trim_end(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

enum rsyncd_conf_verdict
rsyncd_conf_parse(FILE *f, const char *root, const char *base)
{
	char	 line[RSYNCD_CONF_LINE_MAX], *p, *val;
	size_t	 total = 0, n;
	int	 unknown = 0, c;

	while (fgets(line, sizeof(line), f) != NULL) {
		n = strlen(line);
		if ((total += n) > RSYNCD_CONF_MAX)
			return RSYNCD_CONF_UNKNOWN;
		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
			/* Longer than any path: its rest is skipped. */
			while ((c = getc(f)) != EOF && c != '\n')
				total++;
			unknown = 1;
			continue;
		}
		p = line + strspn(line, " \t");
		if (*p == '&') {
			/* &include and &merge: files not followed. */
			unknown = 1;
			continue;
		}
		if (strncasecmp(p, "path", 4) != 0)
			continue;
		p += 4;
		p += strspn(p, " \t");
		if (*p != '=')
			continue;
		val = trim_end(p + 1 + strspn(p + 1, " \t"));
		if (*val == '\0')
			continue;
		if (*val != '/' || strchr(val, '%') != NULL) {
			/* Relative to the daemon's directory, or expanded. */
			unknown = 1;
			continue;
		}
		if (module_in(root, val, base))
			return RSYNCD_CONF_SERVES;
	}
	if (ferror(f))
		return RSYNCD_CONF_UNKNOWN;
	return unknown ? RSYNCD_CONF_UNKNOWN : RSYNCD_CONF_ELSEWHERE;
}

/*
 * Returns an O_PATH fd of the file conf as the process of /proc/PID (pfd)
 * sees it: below its root, or its working directory when relative. -1 if
 * it cannot be found.
 */
static int
open_as_process(int pfd, const char *conf, int same_root)
{
	struct open_how	 how;
	long		 fd;
	int		 at;

	if ((at = openat(pfd, conf[0] == '/' ? "root" : "cwd", O_PATH |
	    O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = conf[0] == '/' ? syscall(SYS_openat2, at, conf, &how,
	    sizeof(how)) : openat(at, conf, O_PATH | O_CLOEXEC);
	if (fd == -1 && (errno == ENOSYS || errno == EPERM) && same_root)
		fd = open(conf, O_PATH | O_CLOEXEC);
	close(at);
	return fd == -1 ? -1 : (int)fd;
}

/* Returns the verdict of the file conf as pfd's process sees it. */
static enum rsyncd_conf_verdict
read_verdict(int pfd, const char *conf, const char *root, const char *base)
{
	enum rsyncd_conf_verdict v;
	struct stat	 sb;
	char		 self[64];
	FILE		*f;
	int		 pathfd, fd;

	if ((pathfd = open_as_process(pfd, conf, strcmp(root, "/") ==
	    0)) == -1)
		return RSYNCD_CONF_UNKNOWN;
	/* Looked at before it is opened: a FIFO or a device is not read. */
	if (fstat(pathfd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(pathfd);
		return RSYNCD_CONF_UNKNOWN;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
	fd = open(self, O_RDONLY | O_CLOEXEC);
	close(pathfd);
	if (fd == -1)
		return RSYNCD_CONF_UNKNOWN;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return RSYNCD_CONF_UNKNOWN;
	}
	v = rsyncd_conf_parse(f, root, base);
	fclose(f);
	return v;
}

enum rsyncd_conf_verdict
rsyncd_conf_verdict(int pfd, const char *cmdline, size_t len,
    const char *base, struct rsyncd_conf_cache *cache)
{
	char	 conf[PATH_MAX], root[PATH_MAX], cwd[PATH_MAX], key[PATH_MAX];
	ssize_t	 n;

	if (conf_of_cmdline(cmdline, len, conf, sizeof(conf)) == -1 ||
	    (n = readlinkat(pfd, "root", root, sizeof(root) - 1)) == -1)
		return RSYNCD_CONF_UNKNOWN;
	root[n] = '\0';
	if (conf[0] == '/')
		snprintf(key, sizeof(key), "%s", conf);
	else {
		if ((n = readlinkat(pfd, "cwd", cwd, sizeof(cwd) - 1)) == -1)
			return RSYNCD_CONF_UNKNOWN;
		cwd[n] = '\0';
		if ((size_t)snprintf(key, sizeof(key), "%s/%s", cwd, conf) >=
		    sizeof(key))
			return RSYNCD_CONF_UNKNOWN;
	}
	if (cache->valid && strcmp(cache->root, root) == 0 &&
	    strcmp(cache->conf, key) == 0)
		return cache->verdict;
	cache->verdict = read_verdict(pfd, conf, root, base);
	snprintf(cache->root, sizeof(cache->root), "%s", root);
	snprintf(cache->conf, sizeof(cache->conf), "%s", key);
	cache->valid = 1;
	return cache->verdict;
}
