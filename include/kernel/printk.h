/* Kernel console output with log levels. Messages below the current level are dropped. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_ERR = 0, LOG_LEVEL_WRN, LOG_LEVEL_INF, LOG_LEVEL_DBG };

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);
void log_printk(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_set_level(enum log_level level);

#define pr_err(...)   log_printk(LOG_LEVEL_ERR, __VA_ARGS__)
#define pr_warn(...)  log_printk(LOG_LEVEL_WRN, __VA_ARGS__)
#define pr_info(...)  log_printk(LOG_LEVEL_INF, __VA_ARGS__)
#define pr_debug(...) log_printk(LOG_LEVEL_DBG, __VA_ARGS__)

#endif
