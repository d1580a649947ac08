/* `kernel blk`: the host's disks, and one-sector reads and writes to try them by hand. */
#include <drivers/virtio_blk.h>

#include <errno.h>
#include <shell/args.h>
#include <shell/shell.h>
#include <string.h>

#define DUMP_BYTES 64u

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

int cmd_kernel_blk(int argc, char **argv)
{
	if (argc == 1) {
		list();
		return 0;
	}
	if (!strcmp(argv[1], "read") || !strcmp(argv[1], "write"))
		return read_write(argc, argv);
	if (!strcmp(argv[1], "id") && argc == 3)
		return show_id(argv[2]);
	return -EINVAL;
}
