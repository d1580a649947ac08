/* `kernel blk`: the host's disks, and one-sector reads and writes to try them by hand. */
#include <drivers/virtio_blk.h>

#include <errno.h>
#include <kernel/heap.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <lib/format.h>
#include <shell/args.h>
#include <shell/shell.h>
#include <string.h>

#define DUMP_BYTES    64u
#define BENCH_CHUNK   (64u * 1024) /* the driver's largest request */
#define BENCH_MAX_MIB 1024u

static void list(void)
{
	struct blkdev *d;

	if (!blkdev_nth(0)) {
		shell_print("no disks");
		return;
	}
	shell_print("%-6s %12s %10s %5s %3s %10s %10s %7s", "name", "sectors", "MiB", "bsize", "ro",
		    "requests", "irqs", "errors");
	for (unsigned i = 0; (d = blkdev_nth(i)); i++) {
		struct blkdev_stats st;

		blkdev_stats(d, &st);
		shell_print("%-6s %12llu %10llu %5u %3s %10llu %10llu %7llu", blkdev_name(d),
			    (unsigned long long)blkdev_sectors(d),
			    (unsigned long long)(blkdev_sectors(d) >> 11), blkdev_block_size(d),
			    blkdev_read_only(d) ? "yes" : "no", (unsigned long long)st.requests,
			    (unsigned long long)st.irqs, (unsigned long long)st.errors);
	}
	/* The optional commands, a line per disk (the table's columns stay as scripts read
	 * them), where its interrupt goes (the CPU of the thread that sent its last request), how
	 * many requests it may have on the device at once and the most it had, and whether
	 * `kernel blk hold` holds a request. */
	for (unsigned i = 0; (d = blkdev_nth(i)); i++) {
		struct blkdev_stats st;
		char cpu[16] = "none yet";

		blkdev_stats(d, &st);
		if (st.irq_cpu >= 0)
			fmt_snprintf(cpu, sizeof(cpu), "CPU %d", st.irq_cpu);
		shell_print("%s: flush %s, discard %s, write-zeroes %s, interrupt to %s, depth %u "
			    "(at most %u at once so far)%s",
			    blkdev_name(d), blkdev_can_flush(d) ? "yes" : "no",
			    blkdev_can_discard(d) ? "yes" : "no",
			    blkdev_has_write_zeroes(d) ? "yes" : "emulated", cpu, st.depth,
			    st.max_inflight, blkdev_holding(d) ? ", a request held" : "");
	}
}

static const char *why(int err)
{
	switch (err) {
	case -ERANGE:
		return "sector past the end of the disk";
	case -EROFS:
		return "disk is read-only";
	case -ETIMEDOUT:
		return "the disk did not answer";
	case -ENOTSUP:
		return "the disk does not support it";
	case -EBUSY:
		return "cannot wait here";
	default:
		return "I/O error";
	}
}

/* argv: blk read|write NAME SECTOR [PATTERN] */
static int read_write(int argc, char **argv)
{
	bool write = !strcmp(argv[1], "write");
	uint8_t sec[BLK_SECTOR_SIZE];
	struct blkdev *d;
	uint64_t sector;
	uint32_t pattern = 0;
	int err;

	if (argc != (write ? 5 : 4) || args_parse_u64(argv[3], &sector) ||
	    (write && (args_parse_u32(argv[4], &pattern) || pattern > 0xff)))
		return -EINVAL;
	d = blkdev_find(argv[2]);
	if (!d) {
		shell_error("no such disk: %s", argv[2]);
		return -ENODEV;
	}
	if (write) {
		memset(sec, (int)pattern, sizeof(sec));
		err = blkdev_rw(d, BLK_WRITE, sector, sec, 1);
		err = err ?: blkdev_rw(d, BLK_FLUSH, 0, NULL, 0);
	} else {
		err = blkdev_rw(d, BLK_READ, sector, sec, 1);
	}
	if (err) {
		shell_error("%s sector %llu: %s", argv[2], (unsigned long long)sector, why(err));
		return err;
	}
	if (write) {
		shell_print("%s: sector %llu filled with 0x%02x and flushed", argv[2],
			    (unsigned long long)sector, (unsigned)pattern);
		return 0;
	}
	for (unsigned off = 0; off < DUMP_BYTES; off += 16) {
		char line[16 * 3 + 1];

		for (unsigned i = 0; i < 16; i++) {
			static const char hex[] = "0123456789abcdef";

			line[i * 3] = hex[sec[off + i] >> 4];
			line[i * 3 + 1] = hex[sec[off + i] & 15];
			line[i * 3 + 2] = i == 15 ? '\0' : ' ';
		}
		shell_print("%04x: %s", off, line);
	}
	return 0;
}

/* `kernel blk hold NAME on MS`: the release comes by itself, for a test that has the shell
 * wait on the held disk meanwhile. One such release may be pending, for one disk. */
static struct k_timer release_timer;
static bool release_timer_ready;

static void release_later(struct k_timer *t)
{
	blkdev_hold(t->user_data, false);
}

/* argv: blk hold NAME on [MS]|off (a test aid: see blkdev_hold) */
static int hold(int argc, char **argv)
{
	struct blkdev *d;
	uint32_t ms = 0;
	bool on;

	if (argc != 4 && argc != 5)
		return -EINVAL;
	on = !strcmp(argv[3], "on");
	if (!on && strcmp(argv[3], "off"))
		return -EINVAL;
	if (argc == 5 && (!on || args_parse_u32(argv[4], &ms) || !ms))
		return -EINVAL;
	d = blkdev_find(argv[2]);
	if (!d) {
		shell_error("no such disk: %s", argv[2]);
		return -ENODEV;
	}
	if (!release_timer_ready) {
		k_timer_init(&release_timer, release_later, NULL);
		release_timer_ready = true;
	}
	if (k_timer_is_running(&release_timer) && release_timer.user_data != d) {
		shell_error("a timed release is pending for another disk");
		return -EBUSY;
	}
	k_timer_stop(&release_timer); /* this disk's pending release: replaced, or off now */
	blkdev_hold(d, on);
	if (ms) {
		release_timer.user_data = d;
		k_timer_start(&release_timer, K_MSEC(ms), K_NO_WAIT);
		shell_print("%s: requests held for %u ms", argv[2], (unsigned)ms);
		return 0;
	}
	shell_print("%s: requests %s", argv[2], on ? "held" : "released");
	return 0;
}

/* argv: blk zero|discard NAME SECTOR COUNT */
static int zero_discard(int argc, char **argv)
{
	bool zero = !strcmp(argv[1], "zero");
	struct blkdev *d;
	uint64_t sector;
	uint32_t count;
	int err;

	if (argc != 5 || args_parse_u64(argv[3], &sector) || args_parse_u32(argv[4], &count))
		return -EINVAL;
	d = blkdev_find(argv[2]);
	if (!d) {
		shell_error("no such disk: %s", argv[2]);
		return -ENODEV;
	}
	err = blkdev_rw(d, zero ? BLK_WRITE_ZEROES : BLK_DISCARD, sector, NULL, count);
	err = err ?: blkdev_rw(d, BLK_FLUSH, 0, NULL, 0);
	if (err) {
		shell_error("%s sectors %llu+%u: %s", argv[2], (unsigned long long)sector, count,
			    why(err));
		return err;
	}
	shell_print("%s: %u sectors at %llu %s and flushed", argv[2], count,
		    (unsigned long long)sector, zero ? "zeroed" : "discarded");
	return 0;
}

static int show_id(const char *name)
{
	struct blkdev *d = blkdev_find(name);
	char id[21];
	int err;

	if (!d) {
		shell_error("no such disk: %s", name);
		return -ENODEV;
	}
	err = blkdev_get_id(d, id);
	if (err) {
		shell_error("%s: %s", name, why(err));
		return err;
	}
	/* The device's bytes: print only what is plainly text. */
	for (char *c = id; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	shell_print("%s: id \"%s\"", name, id);
	return 0;
}

/* argv: blk bench NAME read|write FIRST MIB: sequential throughput of the driver alone, in
 * requests of BENCH_CHUNK (the baseline of make bench's guest disk rows). Writes zeros. */
static int bench(int argc, char **argv)
{
	struct blkdev *d;
	bool write;
	uint64_t first, sector, t0, us;
	uint32_t mib;
	uint8_t *buf;
	int err = 0;

	if (argc != 6 || (strcmp(argv[3], "read") && strcmp(argv[3], "write")) ||
	    args_parse_u64(argv[4], &first) || args_parse_u32(argv[5], &mib) || !mib ||
	    mib > BENCH_MAX_MIB)
		return -EINVAL;
	write = !strcmp(argv[3], "write");
	d = blkdev_find(argv[2]);
	if (!d) {
		shell_error("no such disk: %s", argv[2]);
		return -ENODEV;
	}
	if (first > blkdev_sectors(d) || ((uint64_t)mib << 11) > blkdev_sectors(d) - first) {
		shell_error("%s: past the end of the disk", argv[2]);
		return -ERANGE;
	}
	buf = k_calloc(1, BENCH_CHUNK);
	if (!buf)
		return -ENOMEM;
	t0 = k_uptime_us();
	for (sector = first; sector < first + ((uint64_t)mib << 11) && !err;
	     sector += BENCH_CHUNK / BLK_SECTOR_SIZE)
		err = blkdev_rw(d, write ? BLK_WRITE : BLK_READ, sector, buf,
				BENCH_CHUNK / BLK_SECTOR_SIZE);
	if (!err && write)
		err = blkdev_rw(d, BLK_FLUSH, 0, NULL, 0);
	us = k_uptime_us() - t0;
	k_free(buf);
	if (err) {
		shell_error("%s: %s", argv[2], why(err));
		return err;
	}
	shell_print("blk bench %s %s: %u MiB in %llu us, %llu KiB/s", argv[2], argv[3], mib,
		    (unsigned long long)us,
		    (unsigned long long)(((uint64_t)mib << 10) * 1000000 / (us ? us : 1)));
	return 0;
}

int cmd_kernel_blk(int argc, char **argv)
{
	if (argc == 1) {
		list();
		return 0;
	}
	if (!strcmp(argv[1], "read") || !strcmp(argv[1], "write"))
		return read_write(argc, argv);
	if (!strcmp(argv[1], "hold"))
		return hold(argc, argv);
	if (!strcmp(argv[1], "zero") || !strcmp(argv[1], "discard"))
		return zero_discard(argc, argv);
	if (!strcmp(argv[1], "id") && argc == 3)
		return show_id(argv[2]);
	if (!strcmp(argv[1], "bench"))
		return bench(argc, argv);
	return -EINVAL;
}
