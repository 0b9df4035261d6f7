/*
 * Pinning a litmus actor to one CPU of the process's allowed set.
 *
 * Unpinned, the scheduler may put two actors that wake each other on one core
 * (wake-affine placement); their rounds then never overlap and no reordering can
 * be seen. Actor i goes to the (i mod n)-th allowed CPU, so actors of one test
 * spread over distinct CPUs whenever there are enough.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>

#include "threads.h"

int shim_pin_to_nth_allowed_cpu(int nth)
{
    cpu_set_t allowed;
    if (nth < 0) return -EINVAL;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -errno;
    int count = CPU_COUNT(&allowed);
    if (count == 0) return -ESRCH;
    int want = nth % count;
    for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (seen++ != want) continue;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        /* pid 0 is the calling thread, not the whole process, on Linux. */
        if (sched_setaffinity(0, sizeof one, &one) != 0) return -errno;
        return cpu;
    }
    return -ESRCH;
}
