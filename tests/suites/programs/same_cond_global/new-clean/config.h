#ifndef CONFIG_H
#define CONFIG_H
extern int verbose_mode;
void log_line(const char *text);
void reload_settings(void);
#endif
