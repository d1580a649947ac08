/* RTOS shell: `shm info|send|recv` over arch/arm64/el1/shm_rtos.c. */
#include <drivers/shm_rtos.h>

#include <errno.h>
#include <lib/shm_mbox.h>
#include <shell/shell.h>
#include <stdlib.h>
#include <string.h>

static int no_region(void)
{
	shell_error("shm: no shared-memory region (no zvm,shm-doorbell node in the DT; "
		    "start this VM with `zvm new ... --shm NAME:KB@IPA`)");
	return -ENODEV;
}

static int cmd_shm_info(int argc, char **argv)
{
	struct shm_rtos_info i;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	if (shm_rtos_info(&i))
		return no_region();
	shell_print("shm: region 0x%llx size 0x%llx, doorbell 0x%llx INTID %u, VM id %u, "
		    "peers 0x%llx, sent %u, received %u, bad checksums %u, doorbell irqs %u",
		    (unsigned long long)i.base, (unsigned long long)i.size,
		    (unsigned long long)i.db, i.intid, i.self, (unsigned long long)i.peers, i.sent,
		    i.received, i.bad_sum, i.irqs);
	return 0;
}

static int cmd_shm_send(int argc, char **argv)
{
	char *end;
	unsigned long peer;
	int err;

	if (argc != 3)
		return -EINVAL;
	peer = strtoul(argv[1], &end, 0);
	if (*end || end == argv[1])
		return -EINVAL;
	err = shm_send((unsigned)peer, argv[2], strlen(argv[2]));
	if (err == -ENODEV)
		return no_region();
	if (err) {
		shell_error("shm: VM %lu shares no region with us, or text longer than %u bytes",
			    peer, SHM_MBOX_MAX);
		return err;
	}
	shell_print("shm: sent %u bytes to VM %lu", (unsigned)strlen(argv[2]), peer);
	return 0;
}

static int cmd_shm_recv(int argc, char **argv)
{
	char buf[SHM_MBOX_MAX + 1];
	unsigned long ms = 1000;
	unsigned peer;
	int n, ok;
	char *end;

	if (argc > 2)
		return -EINVAL;
	if (argc == 2) {
		ms = strtoul(argv[1], &end, 0);
		if (*end || end == argv[1] || ms > 600000)
			return -EINVAL;
	}
	n = shm_recv(buf, SHM_MBOX_MAX, K_MSEC(ms), &peer, &ok);
	if (n == -ENODEV)
		return no_region();
	if (n < 0) {
		shell_error("shm: no message within %lu ms", ms);
		return n;
	}
	buf[n] = 0;
	/* The text is the peer's: print only printable bytes. */
	for (int i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			buf[i] = '.';
	shell_print("shm: from VM %u, %d bytes, checksum %s: %s", peer, n, ok ? "ok" : "BAD", buf);
	return 0;
}

static const struct shell_cmd shm_subcmds[] = {
    SHELL_SUBCMD(info, "", "region, doorbell, peers and counters", cmd_shm_info),
    SHELL_SUBCMD(send, "<peer> <text>", "write a message to a peer and ring it", cmd_shm_send),
    SHELL_SUBCMD(recv, "[timeout_ms]", "wait for a peer's message (default 1000 ms)", cmd_shm_recv),
    SHELL_SUBCMD_END,
};
SHELL_CMD_REGISTER_SUBCMDS(shm, "shared memory with other VMs", shm_subcmds);
