/* `kernel insn start|stop` (kernel/cmd_insn.c): instructions run at EL2 in between. */
#ifndef KERNEL_CMD_INSN_H
#define KERNEL_CMD_INSN_H

int cmd_kernel_insn(int argc, char **argv);

#endif
