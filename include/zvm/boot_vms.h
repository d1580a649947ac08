/* Boot-time VMs: VMs the board device tree declares, created (and started) before the shell
 * prompt, for headless systems. Like Xen's dom0less domains, each is a /chosen child:
 *
 *   chosen {
 *       rtos {                              the node name is the VM name unless zvm,name says
 *           compatible = "zvm,vm";
 *           zvm,type = "rtos";              a guest type ('zvm types'); required
 *           zvm,name = "rt0";               optional: 1-23 of [A-Za-z0-9_-], not only digits
 *           zvm,vcpus = <2>;                1-VM_MAX_VCPUS, default 1
 *           zvm,memory-mib = <64>;          a multiple of 2, default 256
 *           zvm,cpus = <1 2>;               optional: the physical CPU of each vCPU, in order,
 *                                           or a string in `zvm new -p` syntax ("1+2,3")
 *           zvm,priority = <5>;             optional: VM_PRIO_MIN-VM_PRIO_MAX
 *           zvm,budget-us = <20000>;        optional, with zvm,period-us: at most budget-us of
 *           zvm,period-us = <100000>;       CPU in every period-us
 *           zvm,on-crash = "reset";         optional: stay (default), reset or delete
 *           zvm,devices = "virtio-net";     optional: as 'zvm new --dev'
 *           zvm,disk = "vda@0+2048:ro";     optional: as 'zvm new --disk'
 *           zvm,memory-mode = "dynamic";    optional: as 'zvm new --mem'
 *           zvm,autostart;                  run it right after creation
 *       };
 *   };
 *
 * docs/boot-vms.md has the details. The parser is pure libfdt code (host unit tests run it);
 * zvm/boot_vms.c creates the VMs. */
#ifndef ZVM_BOOT_VMS_H
#define ZVM_BOOT_VMS_H

#include <stddef.h>
#include <zvm/vm_opts.h>
#include <zvm/zvm.h>

#define BOOT_VM_COMPATIBLE  "zvm,vm"
#define BOOT_VM_DEFAULT_MIB 256
#define BOOT_VM_MAX_MIB	    (64 * 1024) /* as 'zvm new -m' */
#define BOOT_VM_ERR_LEN	    128

struct boot_vm {
	struct vm_config cfg; /* cfg.type points into the DTB, cfg.name at name */
	char name[VM_NAME_MAX];
};

/* The offset of the next "zvm,vm" child of /chosen after the one at prev (-1: the first), or a
 * negative number when there is none. */
int boot_vm_next(const void *fdt, int prev);

/* Reads the node at offset node into out. nr_cpus bounds zvm,cpus. Returns 0, or a negative
 * errno with one line in words in err (what is wrong, never a bare number). */
int boot_vm_parse(const void *fdt, int node, unsigned nr_cpus, struct boot_vm *out, char *err,
		  size_t err_len);

/* Creates every boot-time VM of the host DTB and runs those with zvm,autostart; a bad node
 * is reported and skipped. Returns how many VMs were created. */
unsigned boot_vms_start(void);

#endif
