/*
 * etamild.c -- the command line of the daemon (see man/etamild.8):
 * options, -t (check the configuration and the application without opening
 * any socket), -s (signal the running master named by the pid file), and
 * the hand-over to master_run().  Exit status: 0 success, 1 invalid
 * configuration or start-up failure, 2 usage error.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "master.h"

const char *etd_version(void);

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static const char usage_text[] =
    "Usage: etamild [-c FILE] [-f] [-t] [-s SIGNAL] [-V] [-h]\n"
    "Serve an eTamil application over HTTP with a master and pre-forked workers.\n"
    "\n"
    "  -c, --config FILE    configuration file (default " SYSCONFDIR "/etamild.conf)\n"
    "  -f, --foreground     stay in the foreground, log to stderr unless error_log says otherwise\n"
    "  -t, --test           check the configuration and compile the application, report, exit\n"
    "  -s, --signal SIGNAL  send reload|stop|quit|reopen|upgrade to the running master (pid file)\n"
    "  -V, --version        print \"etamild VERSION\" and exit\n"
    "  -h, --help           this help\n"
    "\n"
    "Signals to the master: HUP reload, TERM graceful stop, INT/QUIT fast stop,\n"
    "USR1 reopen logs, USR2 binary upgrade, TTIN/TTOU one worker more/fewer.\n"
    "Exit status: 0 success, 1 invalid configuration, start-up failure or -s failed,\n"
    "2 usage error.\n"
    "See etamild(8) and etamild.conf(5).\n";

static const struct {
    const char *name;
    int sig;
} signal_names[] = {
    { "reload", SIGHUP }, { "stop", SIGTERM }, { "quit", SIGQUIT },
    { "reopen", SIGUSR1 }, { "upgrade", SIGUSR2 },
};

static int usage_error(const char *fmt, const char *arg)
{
    fputs("etamild: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(usage_text, stderr);
    return 2;
}

static int send_signal(const struct etd_config *cfg, int sig, const char *name)
{
    if (!cfg->pid_file) {
        fprintf(stderr, "etamild: %s: no pid_file configured, cannot find the master\n", cfg->path);
        return 1;
    }
    int live;
    long pid = master_read_pid(cfg->pid_file, &live);
    if (pid <= 0) {
        fprintf(stderr, "etamild: cannot read a pid from %s: %s\n", cfg->pid_file,
                errno ? strerror(errno) : "empty");
        return 1;
    }
    if (kill((pid_t)pid, sig) < 0) {
        fprintf(stderr, "etamild: cannot send %s to pid %ld (from %s): %s\n", name, pid,
                cfg->pid_file, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "foreground", no_argument, NULL, 'f' },
        { "test", no_argument, NULL, 't' },
        { "signal", required_argument, NULL, 's' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = SYSCONFDIR "/etamild.conf";
    const char *signame = NULL;
    int foreground = 0, test = 0, sig = 0, c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:fts:Vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'f': foreground = 1; break;
        case 't': test = 1; break;
        case 's':
            signame = optarg;
            for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
                if (strcmp(optarg, signal_names[i].name) == 0)
                    sig = signal_names[i].sig;
            if (!sig)
                return usage_error("unknown signal \"%s\" (use reload, stop, quit, reopen or upgrade)", optarg);
            break;
        case 'V':
            printf("etamild %s\n", etd_version());
            return 0;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case ':':
            return usage_error("option \"%s\" needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument \"%s\"", argv[optind]);
    if (test && signame)
        return usage_error("%s", "-t and -s cannot be combined");

    char err[1024];
    struct etd_config *cfg = config_load(config, foreground, err, sizeof err);
    if (!cfg) {
        fprintf(stderr, "etamild: %s\n", err);
        if (test)
            fprintf(stderr, "etamild: configuration file %s test failed\n", config);
        return 1;
    }
    if (signame) {
        int rc = send_signal(cfg, sig, signame);
        config_free(cfg);
        return rc;
    }

    master_set_app_loader(app_load, app_free);
    void *app = NULL;
    if (master_load_app(cfg, &app, err, sizeof err) < 0) {
        fprintf(stderr, "etamild: %s\n", err);
        if (test)
            fprintf(stderr, "etamild: configuration file %s test failed\n", cfg->path);
        config_free(cfg);
        return 1;
    }
    if (test) {
        fprintf(stderr, "etamild: configuration file %s test is successful\n", cfg->path);
        master_free_app(app);
        config_free(cfg);
        return 0;
    }

    if (cfg->pid_file) {
        int live;
        long pid = master_read_pid(cfg->pid_file, &live);
        int upgrading = getenv("ETAMILD_UPGRADE_FD") && pid == (long)getppid();
        if (live && pid != (long)getpid() && !upgrading) {
            fprintf(stderr, "etamild: already running as pid %ld (pid file %s)\n", pid, cfg->pid_file);
            master_free_app(app);
            config_free(cfg);
            return 1;
        }
    }

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    struct master_options opt = { .foreground = foreground, .exe = n > 0 ? exe : NULL };
    return master_run(cfg, app, &opt);
}
