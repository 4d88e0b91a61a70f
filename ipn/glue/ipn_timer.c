// SPDX-License-Identifier: GPL-2.0
/*
 * A network's policy timer (ipn_net_timer() of include/net/ipn.h): a
 * delayed work on the system workqueue, which the Rust layer
 * (rust/sync/timer.rs) binds to its owner and stops for good, waiting for
 * a running call, before the owner goes.
 */

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "ipn_glue.h"

struct ipn_timer {
	struct delayed_work work;
	/* Orders arming against binding and stopping; any context. */
	spinlock_t lock;
	void (*fn)(void *ctx);
	void *ctx;
	bool stopped;
};

static void ipn_timer_run(struct work_struct *work)
{
	struct ipn_timer *t = container_of(to_delayed_work(work),
					   struct ipn_timer, work);

	/* Armed only once bound; fn and ctx do not change after. */
	t->fn(t->ctx);
}

struct ipn_timer *ipn_glue_timer_new(void)
{
	struct ipn_timer *t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);

	if (!t)
		return NULL;
	INIT_DELAYED_WORK(&t->work, ipn_timer_run);
	spin_lock_init(&t->lock);
	return t;
}

void ipn_glue_timer_bind(struct ipn_timer *t, void (*fn)(void *ctx),
			 void *ctx)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	if (!t->fn) {
		t->fn = fn;
		t->ctx = ctx;
	}
	spin_unlock_irqrestore(&t->lock, flags);
}

/* Runs the call @ms from now, replacing an earlier arming. */
void ipn_glue_timer_arm(struct ipn_timer *t, unsigned int ms)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	if (t->fn && !t->stopped)
		mod_delayed_work(system_dfl_wq, &t->work, msecs_to_jiffies(ms));
	spin_unlock_irqrestore(&t->lock, flags);
}

/* For good: later armings do nothing.  Waits for a running call. */
void ipn_glue_timer_stop(struct ipn_timer *t)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	t->stopped = true;
	spin_unlock_irqrestore(&t->lock, flags);
	cancel_delayed_work_sync(&t->work);
}

void ipn_glue_timer_free(struct ipn_timer *t)
{
	ipn_glue_timer_stop(t);
	kfree(t);
}
