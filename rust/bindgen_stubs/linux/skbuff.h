/* SPDX-License-Identifier: GPL-2.0 */
/* See module.h. */
#include <linux/module.h>
