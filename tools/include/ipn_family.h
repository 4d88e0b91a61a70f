/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The family number of AF_IPN sockets, for programs that run on any
 * kernel: ipn.ko's "family" parameter once the module is loaded (46,
 * AF_IPN, on a kernel that has it; a borrowed slot, 13 by default, on a
 * stock kernel), and AF_IPN before, so that socket(AF_IPN, ...) can load
 * the module where the kernel knows the family.  See ipn(7), "Kernels
 * without AF_IPN".
 */
#ifndef _IPN_FAMILY_H
#define _IPN_FAMILY_H

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/ipn.h>

#define IPN_FAMILY_PATH "/sys/module/ipn/parameters/family"

/*
 * The module's number is read once and kept (a module reloaded with
 * another family= during the process's life is not seen).  errno is left
 * as it was, so that ipn_family() may sit in an error report.
 */
static inline int ipn_family(void)
{
	static int family;	/* the module's, once it was read */
	int fd, n, v = 0, saved = errno;
	char buf[16];
	ssize_t len;

	v = __atomic_load_n(&family, __ATOMIC_RELAXED);
	if (v)
		return v;
	fd = open(IPN_FAMILY_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = saved;
		return AF_IPN;
	}
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	errno = saved;
	for (n = 0; n < len && buf[n] >= '0' && buf[n] <= '9'; n++)
		v = v * 10 + buf[n] - '0';
	if (v <= 0 || v > 255)
		return AF_IPN;
	__atomic_store_n(&family, v, __ATOMIC_RELAXED);
	return v;
}

#endif /* _IPN_FAMILY_H */
