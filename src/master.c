/*
 * master.c -- the master process.
 *
 * Owns the listening sockets (one SO_REUSEPORT socket per address per slot,
 * for the master's whole life), the worker processes, the generations of
 * configuration + compiled application, the shared metrics and the pid
 * file.  Signal handlers only set flags; the loop below acts on them between
 * ppoll() calls (the handled signals are blocked everywhere else), nginx
 * style.  Everything the master does is driven from master_loop():
 *
 *   HUP   reload: build generation g+1 (configuration, application), start
 *         its workers slot by slot, each must report ready; then the old
 *         ones drain.  Any failure abandons g+1 and g keeps serving.
 *   TERM  graceful stop; INT/QUIT fast stop; USR1 reopen logs;
 *   USR2  binary upgrade (re-exec with the sockets as LISTEN_FDS);
 *   TTIN/TTOU  one slot more/less.
 *
 * Slots leave and join the kernel's connection distribution through
 * listen_steer() before a socket is closed or while its worker starts, so
 * no connection is queued where nobody will accept it.
 */
#include "autoconfig.h"

#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "schedule.h"
#include "worker.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#define MAX_PROCS 1024              /* metrics entries: workers alive at once */
#define FAST_STOP_GRACE 3.0         /* seconds before SIGKILL on INT/QUIT */
#define RETIRE_GRACE 0.3            /* handshakes in flight when a slot leaves rotation */
#define RETIRE_MAX_WAIT 5.0         /* bound on waiting for a leaving slot's queue */
#define SHORT_LIFE 2.0              /* a worker dying sooner counts as a start-up failure */

enum wstate { W_STARTING, W_READY, W_DRAINING };
enum wrole {
    R_CURRENT,                      /* serves its slot in the current generation */
    R_CANDIDATE,                    /* started by a reload in progress */
    R_OLD,                          /* replaced; draining */
    R_RETIRING                      /* its slot is leaving; still empties its queue */
};

struct mworker {
    pid_t pid;
    int slot;
    unsigned gen;
    int midx;                       /* metrics entry */
    int ready_fd;                   /* read end of the ready pipe, -1 when done */
    enum wstate state;
    enum wrole role;
    double started;
    double kill_at;                 /* SIGKILL when still alive then (0: not set) */
};

struct slot_state {
    int in_rotation;                /* new connections are steered here */
    int fails;                      /* consecutive short lives */
    double respawn_at;              /* > 0: a respawn is due then */
    double retire_at;               /* > 0: leaving; close once its queue is empty */
};

struct reload_state {
    int active;
    struct etd_config *cfg;
    void *app;
    unsigned gen;
    int nslots;                     /* slots rolled: min(current, new workers) */
    int next;                       /* next slot to start a candidate on */
    int logs_changed;
    int added_addr_from;            /* addresses at and after this index are new */
};

struct master {
    struct etd_config *cfg;
    void *app;
    unsigned gen, last_gen;
    struct master_options opt;
    pid_t pid;

    struct etd_listen_addr addr[ETD_MAX_LISTEN];
    int naddr;
    int fd[ETD_MAX_LISTEN][ETD_MAX_WORKERS];    /* -1: none */
    int shared[ETD_MAX_LISTEN];     /* an inherited socket without SO_REUSEPORT, used by every slot */
    int inherited[ETD_MAX_LISTEN];  /* sockets taken over at start (LISTEN_FDS) */
    int nslots, want_slots;
    struct slot_state slot[ETD_MAX_WORKERS];
    int steer_warned;

    struct mworker *w;
    int nw, capw;
    struct etd_metrics *metrics;

    struct reload_state rl;
    int want_reload;

    int starting;                   /* initial start-up: every worker must become ready */
    int stopping;                   /* 0, 1 graceful, 2 fast */
    int stop_signal;
    int exit_status;

    pid_t upg_pid;                  /* old master: the new master we started */
    int upg_fd;                     /* old master: its ready pipe */
    int handed_over;                /* old master: the new one owns the pid file */
    int upg_notify_fd;              /* new master: tell the old one we are ready */
    int started_fd;                 /* daemonized: tell the waiting parent */
    char *pid_file;                 /* the pid file we wrote */
    sigset_t orig_mask;
};

/* ---- signals: flags only --------------------------------------------------- */

static volatile sig_atomic_t sig_hup, sig_term, sig_int, sig_quit, sig_usr1, sig_usr2,
    sig_chld, sig_ttin, sig_ttou;

static void on_signal(int sig)
{
    switch (sig) {
    case SIGHUP: sig_hup = 1; break;
    case SIGTERM: sig_term = 1; break;
    case SIGINT: sig_int = 1; break;
    case SIGQUIT: sig_quit = 1; break;
    case SIGUSR1: sig_usr1 = 1; break;
    case SIGUSR2: sig_usr2 = 1; break;
    case SIGCHLD: sig_chld = 1; break;
    case SIGTTIN: sig_ttin++; break;
    case SIGTTOU: sig_ttou++; break;
    }
}

static const int handled_signals[] = {
    SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGTTIN, SIGTTOU
};
#define NHANDLED (int)(sizeof handled_signals / sizeof handled_signals[0])

/* ---- application hook ------------------------------------------------------ */

static etd_app_load_fn app_load_hook;
static etd_app_free_fn app_free_hook;

void master_set_app_loader(etd_app_load_fn load, etd_app_free_fn free_fn)
{
    app_load_hook = load;
    app_free_hook = free_fn;
}

int master_load_app(const struct etd_config *cfg, void **app, char *err, size_t errlen)
{
    *app = NULL;
    if (!app_load_hook)
        return 0;
    err[0] = '\0';
    *app = app_load_hook(cfg, err, errlen);
    if (!*app) {
        if (!err[0])
            snprintf(err, errlen, "%s: cannot load the application", cfg->app);
        return -1;
    }
    return 0;
}

void master_free_app(void *app)
{
    if (app && app_free_hook)
        app_free_hook(app);
}

/* ---- small helpers --------------------------------------------------------- */

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void describe_status(int status, char *buf, size_t len)
{
    if (WIFEXITED(status))
        snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "status 0x%x", status);
}

static void notify(const char *msg)
{
#ifdef HAVE_LIBSYSTEMD
    sd_notify(0, msg);
#else
    /* The sd_notify datagram protocol needs no library. */
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    size_t len = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || len >= sizeof sa.sun_path)
        return;
    memcpy(sa.sun_path, path, len);
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    ssize_t r = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
    (void)r;
    close(fd);
#endif
}

static void notify_reloading(void)
{
    char msg[96];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
             (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
    notify(msg);
}

long master_read_pid(const char *pid_file, int *live)
{
    *live = 0;
    FILE *fp = fopen(pid_file, "r");
    if (!fp)
        return 0;
    long pid = 0;
    if (fscanf(fp, "%ld", &pid) != 1 || pid <= 0)
        pid = 0;
    fclose(fp);
    if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
        *live = 1;
    return pid;
}

static int write_pid_file(const char *path)
{
    char tmp[4096], buf[32];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (write(fd, buf, (size_t)n) != n || close(fd) < 0 || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void remove_pid_file(struct master *m)
{
    if (!m->pid_file)
        return;
    int live;
    if (master_read_pid(m->pid_file, &live) == (long)getpid())
        unlink(m->pid_file);
    free(m->pid_file);
    m->pid_file = NULL;
}

/* ---- sockets --------------------------------------------------------------- */

static int addr_index(struct master *m, const struct etd_listen_addr *a)
{
    for (int i = 0; i < m->naddr; i++)
        if (m->addr[i].len == a->len && memcmp(&m->addr[i].ss, &a->ss, a->len) == 0)
            return i;
    return -1;
}

static int slot_fd(struct master *m, int a, int slot)
{
    return m->shared[a] >= 0 ? m->shared[a] : m->fd[a][slot];
}

static void close_slot_sockets(struct master *m, int slot)
{
    for (int a = 0; a < m->naddr; a++)
        if (m->fd[a][slot] >= 0) {
            close(m->fd[a][slot]);
            m->fd[a][slot] = -1;
        }
}

/* Open the sockets of address a for slots [from, to). */
static int open_sockets(struct master *m, int a, int from, int to, int backlog, char *err, size_t errlen)
{
    if (m->shared[a] >= 0)
        return 0;
    for (int s = from; s < to; s++) {
        if (m->fd[a][s] >= 0)
            continue;
        int fd = listen_open(&m->addr[a], backlog, err, errlen);
        if (fd < 0)
            return -1;
        m->fd[a][s] = fd;
    }
    return 0;
}

static void remove_address(struct master *m, int a)
{
    for (int s = ETD_MAX_WORKERS - 1; s >= 0; s--)
        if (m->fd[a][s] >= 0)
            close(m->fd[a][s]);
    if (m->shared[a] >= 0)
        close(m->shared[a]);
    for (int i = a; i + 1 < m->naddr; i++) {
        m->addr[i] = m->addr[i + 1];
        m->shared[i] = m->shared[i + 1];
        memcpy(m->fd[i], m->fd[i + 1], sizeof m->fd[i]);
    }
    m->naddr--;
}

/* Point every reuseport group at the slots in rotation. */
static void resteer(struct master *m)
{
    int idx[ETD_MAX_WORKERS], n = 0;
    for (int s = 0; s < m->nslots; s++)
        if (m->slot[s].in_rotation)
            idx[n++] = s;
    if (n == 0)
        return;                     /* never steer everything away */
    for (int a = 0; a < m->naddr; a++) {
        if (m->shared[a] >= 0 || m->fd[a][0] < 0)
            continue;
        if (listen_steer(m->fd[a][0], idx, n) < 0 && !m->steer_warned) {
            log_warn("cannot steer connections on %s (SO_ATTACH_REUSEPORT_CBPF): %s",
                     m->addr[a].text, strerror(errno));
            m->steer_warned = 1;
        }
    }
}

/* Take over sockets passed as LISTEN_FDS (binary upgrade, systemd). */
static int adopt_inherited(struct master *m, const struct etd_config *cfg, int *adopted_slots)
{
    *adopted_slots = 0;
    const char *pid_s = getenv("LISTEN_PID"), *fds_s = getenv("LISTEN_FDS");
    if (!pid_s || !fds_s || atol(pid_s) != (long)getpid())
        return 0;
    int n = atoi(fds_s);
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (n <= 0 || n > ETD_MAX_LISTEN * ETD_MAX_WORKERS)
        return 0;
    char *used = calloc((size_t)n, 1);
    if (!used)
        return -1;
    for (int a = 0; a < cfg->nlisten; a++) {
        int k = 0;
        for (int i = 0; i < n; i++) {
            int fd = 3 + i;
            if (used[i] || !listen_matches(fd, &cfg->listen[a]))
                continue;
            used[i] = 1;
            fcntl(fd, F_SETFD, FD_CLOEXEC);
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            if (!listen_is_reuseport(fd)) {
                if (m->shared[a] < 0)
                    m->shared[a] = fd;
                else
                    close(fd);
                continue;
            }
            if (k < ETD_MAX_WORKERS)
                m->fd[a][k++] = fd;
            else
                close(fd);
        }
        if (k > *adopted_slots)
            *adopted_slots = k;
        m->inherited[a] = k ? k : m->shared[a] >= 0;
    }
    for (int i = 0; i < n; i++)
        if (!used[i]) {
            log_warn("inherited descriptor %d matches no listen address; closed", 3 + i);
            close(3 + i);
        }
    free(used);
    return 0;
}

/* ---- workers --------------------------------------------------------------- */

static struct mworker *worker_new(struct master *m)
{
    if (m->nw == m->capw) {
        int cap = m->capw ? m->capw * 2 : 16;
        struct mworker *w = realloc(m->w, (size_t)cap * sizeof *w);
        if (!w)
            return NULL;
        m->w = w;
        m->capw = cap;
    }
    struct mworker *w = &m->w[m->nw++];
    memset(w, 0, sizeof *w);
    w->ready_fd = -1;
    return w;
}

static struct mworker *slot_current(struct master *m, int slot)
{
    for (int i = 0; i < m->nw; i++)
        if (m->w[i].slot == slot && m->w[i].role == R_CURRENT)
            return &m->w[i];
    return NULL;
}

static int drop_privileges(const struct etd_config *cfg)
{
    if ((!cfg->user && !cfg->group) || geteuid() != 0)
        return 0;
    uid_t uid = 0;
    gid_t gid = 0;
    struct passwd *pw = NULL;
    if (cfg->user) {
        pw = getpwnam(cfg->user);
        if (!pw) {
            log_error("user %s: unknown", cfg->user);
            return -1;
        }
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    if (cfg->group) {
        struct group *gr = getgrnam(cfg->group);
        if (!gr) {
            log_error("group %s: unknown", cfg->group);
            return -1;
        }
        gid = gr->gr_gid;
    }
    if ((pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL)) < 0 || setgid(gid) < 0) {
        log_error("cannot set group %ld: %s", (long)gid, strerror(errno));
        return -1;
    }
    if (pw && setuid(uid) < 0) {
        log_error("cannot set user %s: %s", cfg->user, strerror(errno));
        return -1;
    }
    return 0;
}

/* In the child, before worker_run(): nothing of the master's role stays. */
static void child_setup(struct master *m, const int *keep, int nkeep, const struct etd_config *cfg)
{
    /* TERM, INT, QUIT and CHLD get their default action back; the signals a
     * worker does not act on by default (or acts on only once worker_run
     * has installed its handler, like USR1) are ignored meanwhile, so a
     * reopen sent while it starts does not kill it. */
    struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };
    sigemptyset(&dfl.sa_mask);
    sigemptyset(&ign.sa_mask);
    for (int i = 0; i < NHANDLED; i++) {
        int sig = handled_signals[i];
        int keep_default = sig == SIGTERM || sig == SIGINT || sig == SIGQUIT || sig == SIGCHLD;
        sigaction(sig, keep_default ? &dfl : &ign, NULL);
    }
    sigprocmask(SIG_SETMASK, &m->orig_mask, NULL);

    /* A worker whose master vanished drains and exits rather than serving orphaned. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != m->pid)
        _exit(1);

    for (int a = 0; a < m->naddr; a++)
        for (int s = 0; s < ETD_MAX_WORKERS; s++) {
            int fd = m->fd[a][s];
            if (fd < 0)
                continue;
            int mine = 0;
            for (int k = 0; k < nkeep; k++)
                mine |= keep[k] == fd;
            if (!mine)
                close(fd);
        }
    for (int i = 0; i < m->nw; i++)
        if (m->w[i].ready_fd >= 0)
            close(m->w[i].ready_fd);
    if (m->upg_fd >= 0)
        close(m->upg_fd);
    if (m->upg_notify_fd >= 0)
        close(m->upg_notify_fd);
    if (m->started_fd >= 0)
        close(m->started_fd);

    if (drop_privileges(cfg) < 0)
        _exit(1);
    if (cfg->chdir && chdir(cfg->chdir) < 0) {
        log_error("chdir %s: %s", cfg->chdir, strerror(errno));
        _exit(1);
    }
    for (int i = 0; i < cfg->nenv; i++)
        setenv(cfg->env[i].name, cfg->env[i].value, 1);
}

static struct mworker *spawn(struct master *m, int slot, const struct etd_config *cfg, void *app,
                             unsigned gen, enum wrole role)
{
    int fds[ETD_MAX_LISTEN];
    for (int i = 0; i < cfg->nlisten; i++) {
        int a = addr_index(m, &cfg->listen[i]);
        fds[i] = a < 0 ? -1 : slot_fd(m, a, slot);
        if (fds[i] < 0) {
            log_error("internal: no socket for %s slot %d", cfg->listen[i].text, slot);
            return NULL;
        }
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        log_error("pipe: %s", strerror(errno));
        return NULL;
    }
    struct mworker *w = worker_new(m);
    if (!w) {
        close(p[0]);
        close(p[1]);
        log_error("out of memory");
        return NULL;
    }
    w->slot = slot;
    w->gen = gen;
    w->role = role;
    w->state = W_STARTING;
    w->started = now_mono();
    w->midx = metrics_proc_alloc(m->metrics, slot, gen);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        log_error("fork: %s", strerror(errno));
        metrics_proc_retire(m->metrics, w->midx);
        m->nw--;
        close(p[0]);
        close(p[1]);
        return NULL;
    }
    if (pid == 0) {
        close(p[0]);
        child_setup(m, fds, cfg->nlisten, cfg);
        struct etd_worker_args args = {
            .cfg = cfg, .slot = slot, .generation = gen,
            .listen_fds = fds, .nlisten = cfg->nlisten, .ready_fd = p[1],
            .metrics = m->metrics, .metrics_idx = w->midx, .app = app,
        };
        int rc = worker_run(&args);
#if defined(__SANITIZE_ADDRESS__)
        /* _exit skips LeakSanitizer's exit check: a worker frees all it
         * made before worker_run returns, so anything left is a leak */
        if (__lsan_do_recoverable_leak_check())
            rc = 1;
#endif
        _exit(rc);
    }
    close(p[1]);
    w->pid = pid;
    w->ready_fd = p[0];
    log_info("worker %ld started (slot %d, generation %u)", (long)pid, slot, gen);
    return w;
}

static void signal_worker(struct mworker *w, int sig, double grace)
{
    if (kill(w->pid, sig) < 0 && errno != ESRCH)
        log_warn("kill %ld: %s", (long)w->pid, strerror(errno));
    if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
        double at = now_mono() + grace;
        if (w->state != W_DRAINING || w->kill_at == 0 || at < w->kill_at)
            w->kill_at = at;
        w->state = W_DRAINING;
    }
}

static void drain_worker(struct master *m, struct mworker *w)
{
    w->role = R_OLD;
    signal_worker(w, SIGTERM, m->cfg->graceful_timeout);
}

/* ---- start-up and stop ----------------------------------------------------- */

static void begin_stop(struct master *m, int how, int sig)
{
    if (m->stopping >= how)
        return;
    m->stopping = how;
    if (!m->handed_over)            /* after an upgrade the service goes on */
        notify("STOPPING=1");
    if (how == 1)
        log_notice("graceful stop: draining %d worker%s (graceful_timeout %gs)",
                   m->nw, m->nw == 1 ? "" : "s", m->cfg->graceful_timeout);
    else
        log_notice("fast stop");
    /* Close our listening sockets first: each worker takes what is queued
     * on its socket and closes its copy as it drains, and from then on new
     * connections are refused instead of queued and reset at exit. */
    for (int a = 0; a < m->naddr; a++) {
        for (int s = 0; s < ETD_MAX_WORKERS; s++)
            if (m->fd[a][s] >= 0) {
                close(m->fd[a][s]);
                m->fd[a][s] = -1;
            }
        if (m->shared[a] >= 0) {
            close(m->shared[a]);
            m->shared[a] = -1;
        }
    }
    for (int i = 0; i < m->nw; i++) {
        struct mworker *w = &m->w[i];
        if (how == 1)
            signal_worker(w, SIGTERM, m->cfg->graceful_timeout);
        else
            signal_worker(w, sig, FAST_STOP_GRACE);
    }
    if (m->rl.active) {
        config_free(m->rl.cfg);
        master_free_app(m->rl.app);
        memset(&m->rl, 0, sizeof m->rl);
    }
}

/* Standard input and output (and error, unless the error log is stderr)
 * go to /dev/null. */
static void stdio_to_null(void)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        if (log_error_fd() != 2)
            dup2(null, 2);
        if (null > 2)
            close(null);
    }
}

static void started(struct master *m)
{
    m->starting = 0;
    if (m->cfg->pid_file) {
        if (write_pid_file(m->cfg->pid_file) < 0)
            log_error("cannot write pid file %s: %s", m->cfg->pid_file, strerror(errno));
        else
            m->pid_file = strdup(m->cfg->pid_file);
    }
    log_notice("etamild %s started: %d worker%s, generation %u", PACKAGE_VERSION, m->nslots,
               m->nslots == 1 ? "" : "s", m->gen);
    if (m->upg_notify_fd >= 0) {
        ssize_t r = write(m->upg_notify_fd, "R", 1);
        (void)r;
        close(m->upg_notify_fd);
        m->upg_notify_fd = -1;
    }
    char msg[64];
    snprintf(msg, sizeof msg, "MAINPID=%ld\nREADY=1", (long)getpid());
    notify(msg);
    if (m->started_fd >= 0) {
        ssize_t r = write(m->started_fd, "R", 1);
        (void)r;
        close(m->started_fd);
        m->started_fd = -1;
        stdio_to_null();            /* detached now: the terminal is gone for good */
    }
}

/* Fork, let the parent wait until the daemon has started (exit 0) or failed
 * (exit 1), and continue in the child as the session leader. */
static int daemonize(struct master *m)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(p[1]);
        char c = 0;
        ssize_t r;
        do
            r = read(p[0], &c, 1);
        while (r < 0 && errno == EINTR);
        _exit(r == 1 && c == 'R' ? 0 : 1);
    }
    close(p[0]);
    setsid();
    if (chdir("/") < 0)             /* every path in use is absolute */
        log_warn("chdir /: %s", strerror(errno));
    m->started_fd = p[1];
    m->pid = getpid();
    /* From here on messages go to the error log (or, with error_log
     * stderr, to the terminal until the daemon has started). */
    stdio_to_null();
    return 0;
}

/* ---- reload (SIGHUP) ------------------------------------------------------- */

static int logs_differ(const struct etd_config *a, const struct etd_config *b)
{
    return strcmp(a->error_log, b->error_log) != 0 ||
           (a->access_log == NULL) != (b->access_log == NULL) ||
           (a->access_log && strcmp(a->access_log, b->access_log) != 0);
}

static void reload_abort(struct master *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reload_abort(struct master *m, const char *fmt, ...)
{
    char why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    struct reload_state *rl = &m->rl;
    for (int i = 0; i < m->nw; i++)
        if (m->w[i].role == R_CANDIDATE)
            drain_worker(m, &m->w[i]);
    while (m->naddr > rl->added_addr_from)
        remove_address(m, m->naddr - 1);
    if (rl->logs_changed)
        log_open(m->cfg->error_log, m->cfg->log_level, m->cfg->access_log);
    log_error("reload failed: %s; generation %u keeps serving", why, m->gen);
    config_free(rl->cfg);
    master_free_app(rl->app);
    memset(rl, 0, sizeof *rl);
    metrics_reload_done(m->metrics, 0);
    notify("READY=1");
}

static void reload_commit(struct master *m)
{
    struct reload_state *rl = &m->rl;
    for (int i = 0; i < m->nw; i++) {
        struct mworker *w = &m->w[i];
        if (w->role == R_CURRENT && w->gen != rl->gen && w->slot < rl->nslots)
            drain_worker(m, w);
    }
    for (int i = 0; i < m->nw; i++)
        if (m->w[i].role == R_CANDIDATE)
            m->w[i].role = R_CURRENT;
    /* Addresses no longer configured go away with their old workers. */
    for (int a = m->naddr - 1; a >= 0; a--) {
        int wanted = 0;
        for (int i = 0; i < rl->cfg->nlisten; i++)
            wanted |= rl->cfg->listen[i].len == m->addr[a].len &&
                      memcmp(&rl->cfg->listen[i].ss, &m->addr[a].ss, m->addr[a].len) == 0;
        if (!wanted) {
            log_notice("listen %s: no longer configured, closed", m->addr[a].text);
            remove_address(m, a);
        }
    }
    if (rl->cfg->backlog != m->cfg->backlog)
        for (int a = 0; a < m->naddr; a++)
            for (int s = 0; s < m->nslots; s++)
                if (slot_fd(m, a, s) >= 0)
                    listen_set_backlog(slot_fd(m, a, s), rl->cfg->backlog);
    if (m->pid_file && (!rl->cfg->pid_file || strcmp(m->pid_file, rl->cfg->pid_file) != 0)) {
        remove_pid_file(m);
    }
    if (rl->cfg->pid_file && !m->pid_file) {
        if (write_pid_file(rl->cfg->pid_file) == 0)
            m->pid_file = strdup(rl->cfg->pid_file);
        else
            log_error("cannot write pid file %s: %s", rl->cfg->pid_file, strerror(errno));
    }
    if (!rl->logs_changed)
        log_set_level(rl->cfg->log_level);
    config_free(m->cfg);
    master_free_app(m->app);
    m->cfg = rl->cfg;
    m->app = rl->app;
    m->gen = rl->gen;
    m->want_slots = m->cfg->workers;
    for (int s = 0; s < ETD_MAX_WORKERS; s++)
        m->slot[s].fails = 0;
    memset(rl, 0, sizeof *rl);
    metrics_set_generation(m->metrics, m->gen);
    metrics_reload_done(m->metrics, 1);
    log_notice("reload: generation %u is serving", m->gen);
    notify("READY=1");
}

/* Start the candidate of the next slot, or commit when all are ready. */
static void reload_step(struct master *m)
{
    struct reload_state *rl = &m->rl;
    if (rl->next >= rl->nslots) {
        reload_commit(m);
        return;
    }
    int s = rl->next++;
    if (!spawn(m, s, rl->cfg, rl->app, rl->gen, R_CANDIDATE))
        reload_abort(m, "cannot start a worker for slot %d", s);
}

static void reload_begin(struct master *m)
{
    char err[1024];
    m->want_reload = 0;
    notify_reloading();
    log_notice("reload: reading %s", m->cfg->path);
    struct etd_config *cfg = config_load(m->cfg->path, m->opt.foreground, err, sizeof err);
    void *app = NULL;
    if (!cfg || master_load_app(cfg, &app, err, sizeof err) < 0) {
        log_error("reload failed: %s; generation %u keeps serving", err, m->gen);
        config_free(cfg);
        metrics_reload_done(m->metrics, 0);
        notify("READY=1");
        return;
    }
    if (cfg->daemonize != m->cfg->daemonize)
        log_warn("reload: daemonize cannot change without a restart; ignored");
    struct reload_state *rl = &m->rl;
    memset(rl, 0, sizeof *rl);
    rl->active = 1;
    rl->cfg = cfg;
    rl->app = app;
    rl->gen = ++m->last_gen;
    rl->nslots = cfg->workers < m->nslots ? cfg->workers : m->nslots;
    rl->added_addr_from = m->naddr;
    if (logs_differ(cfg, m->cfg)) {
        if (log_open(cfg->error_log, cfg->log_level, cfg->access_log) < 0) {
            reload_abort(m, "cannot open the new log files");
            return;
        }
        rl->logs_changed = 1;
        if (cfg->user && geteuid() == 0) {
            struct passwd *pw = getpwnam(cfg->user);
            if (pw)
                log_chown(pw->pw_uid, pw->pw_gid);
        }
    }
    /* New addresses get their sockets now, for every slot. */
    for (int i = 0; i < cfg->nlisten; i++) {
        if (addr_index(m, &cfg->listen[i]) >= 0)
            continue;
        if (m->naddr == ETD_MAX_LISTEN) {
            reload_abort(m, "too many listen addresses");
            return;
        }
        int a = m->naddr++;
        m->addr[a] = cfg->listen[i];
        m->shared[a] = -1;
        for (int s = 0; s < ETD_MAX_WORKERS; s++)
            m->fd[a][s] = -1;
        if (listen_probe(&m->addr[a], err, sizeof err) < 0 ||
            open_sockets(m, a, 0, m->nslots, cfg->backlog, err, sizeof err) < 0) {
            reload_abort(m, "%s", err);
            return;
        }
        log_notice("listen %s: opened", m->addr[a].text);
    }
    if (rl->added_addr_from < m->naddr)
        resteer(m);
    reload_step(m);
}

/* ---- slots: growing and shrinking ------------------------------------------ */

static void retire_top_slot(struct master *m)
{
    int s = m->nslots - 1;
    m->slot[s].in_rotation = 0;
    m->slot[s].respawn_at = 0;
    m->nslots--;
    resteer(m);
    m->slot[s].retire_at = now_mono() + RETIRE_GRACE;
    struct mworker *w = slot_current(m, s);
    if (w)
        w->role = R_RETIRING;
    log_notice("slot %d leaves rotation (%d worker%s)", s, m->nslots, m->nslots == 1 ? "" : "s");
    metrics_set_workers(m->metrics, m->nslots);
}

static int slots_lingering(struct master *m)
{
    for (int i = 0; i < m->nw; i++)
        if (m->w[i].slot >= m->nslots)
            return 1;
    for (int s = m->nslots; s < ETD_MAX_WORKERS; s++)
        if (m->slot[s].retire_at > 0)
            return 1;
    return 0;
}

static void resize_step(struct master *m)
{
    char err[512];
    while (m->want_slots < m->nslots && m->nslots > 1)
        retire_top_slot(m);
    while (m->want_slots > m->nslots) {
        if (slots_lingering(m))
            return;                 /* a leaving socket still sits at this group index */
        int s = m->nslots;
        for (int a = 0; a < m->naddr; a++)
            if (open_sockets(m, a, s, s + 1, m->cfg->backlog, err, sizeof err) < 0) {
                log_error("cannot add a worker: %s", err);
                close_slot_sockets(m, s);
                m->want_slots = m->nslots;
                return;
            }
        m->slot[s] = (struct slot_state){ 0 };
        m->nslots++;
        metrics_set_workers(m->metrics, m->nslots);
        log_notice("slot %d added (%d workers)", s, m->nslots);
        if (!spawn(m, s, m->cfg, m->app, m->gen, R_CURRENT))
            m->slot[s].respawn_at = now_mono() + 1;
    }
}

/* ---- binary upgrade (SIGUSR2) ---------------------------------------------- */

static void upgrade_begin(struct master *m)
{
    if (m->upg_pid > 0) {
        log_warn("binary upgrade already in progress (new master %ld)", (long)m->upg_pid);
        return;
    }
    if (!m->opt.exe) {
        log_error("binary upgrade: the path of the binary is unknown");
        return;
    }
    int list[ETD_MAX_LISTEN * ETD_MAX_WORKERS], n = 0;
    for (int a = 0; a < m->naddr; a++) {
        if (m->shared[a] >= 0) {
            list[n++] = m->shared[a];
            continue;
        }
        for (int s = 0; s < ETD_MAX_WORKERS; s++)
            if (m->fd[a][s] >= 0)
                list[n++] = m->fd[a][s];
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        log_error("binary upgrade: pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        log_error("binary upgrade: fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return;
    }
    if (pid == 0) {
        /* Lay the sockets out as LISTEN_FDS wants them: 3, 4, ... in order. */
        int base = 3 + n + 1 + 16, tmp[ETD_MAX_LISTEN * ETD_MAX_WORKERS];
        schedule_pass_on(base);     /* the schedule slots (before 3.. are overwritten) */
        for (int i = 0; i < n; i++)
            tmp[i] = fcntl(list[i], F_DUPFD_CLOEXEC, base);
        int up = fcntl(p[1], F_DUPFD_CLOEXEC, base);
        for (int i = 0; i < n; i++)
            if (tmp[i] < 0 || dup2(tmp[i], 3 + i) < 0)
                _exit(127);
        if (up < 0 || dup2(up, 3 + n) < 0)
            _exit(127);
        char buf[32];
        snprintf(buf, sizeof buf, "%d", n);
        setenv("LISTEN_FDS", buf, 1);
        snprintf(buf, sizeof buf, "%ld", (long)getpid());
        setenv("LISTEN_PID", buf, 1);
        unsetenv("LISTEN_FDNAMES");
        snprintf(buf, sizeof buf, "%d", 3 + n);
        setenv("ETAMILD_UPGRADE_FD", buf, 1);
        struct sigaction sa = { .sa_handler = SIG_DFL };
        sigemptyset(&sa.sa_mask);
        for (int i = 0; i < NHANDLED; i++)
            sigaction(handled_signals[i], &sa, NULL);
        sigprocmask(SIG_SETMASK, &m->orig_mask, NULL);
        char *argv[] = { (char *)m->opt.exe, "-c", m->cfg->path,
                         m->opt.foreground ? "-f" : NULL, NULL };
        execv(m->opt.exe, argv);
        log_error("binary upgrade: exec %s: %s", m->opt.exe, strerror(errno));
        _exit(127);
    }
    close(p[1]);
    m->upg_pid = pid;
    m->upg_fd = p[0];
    log_notice("binary upgrade: started new master %ld (%s) with %d socket%s", (long)pid,
               m->opt.exe, n, n == 1 ? "" : "s");
}

static void upgrade_failed(struct master *m, const char *why)
{
    if (m->upg_fd >= 0) {
        close(m->upg_fd);
        m->upg_fd = -1;
    }
    log_error("binary upgrade failed: %s; this master keeps serving", why);
}

/* ---- events ---------------------------------------------------------------- */

static void worker_ready(struct master *m, struct mworker *w)
{
    w->state = W_READY;
    log_info("worker %ld ready (slot %d, generation %u)", (long)w->pid, w->slot, w->gen);
    if (w->role == R_CURRENT && w->slot < m->nslots && !m->slot[w->slot].in_rotation) {
        m->slot[w->slot].in_rotation = 1;
        resteer(m);
    }
    if (m->starting) {
        int all = 1;
        for (int i = 0; i < m->nw; i++)
            all &= m->w[i].state == W_READY || m->w[i].role != R_CURRENT;
        if (all)
            started(m);
    }
    if (w->role == R_CANDIDATE && m->rl.active)
        reload_step(m);
}

static void worker_exited(struct master *m, int i, int status)
{
    struct mworker w = m->w[i];
    m->w[i] = m->w[--m->nw];
    if (w.ready_fd >= 0)
        close(w.ready_fd);
    metrics_proc_retire(m->metrics, w.midx);
    char how[128];
    describe_status(status, how, sizeof how);
    double now = now_mono();

    if (m->stopping || w.role == R_OLD) {
        log_info("worker %ld (slot %d, generation %u) exited: %s", (long)w.pid, w.slot, w.gen, how);
        return;
    }
    if (w.role == R_RETIRING) {
        log_info("worker %ld of retired slot %d exited: %s", (long)w.pid, w.slot, how);
        if (m->slot[w.slot].retire_at > 0) {
            close_slot_sockets(m, w.slot);
            m->slot[w.slot].retire_at = 0;
        }
        return;
    }
    if (w.role == R_CANDIDATE) {
        if (m->rl.active && w.gen == m->rl.gen)
            reload_abort(m, "new worker %ld for slot %d %s before it was ready", (long)w.pid,
                         w.slot, how);
        return;
    }
    /* R_CURRENT: unexpected. */
    if (m->starting) {
        log_error("worker %ld (slot %d) %s during start-up; stopping", (long)w.pid, w.slot, how);
        m->exit_status = 1;
        begin_stop(m, 2, SIGINT);
        return;
    }
    struct slot_state *ss = &m->slot[w.slot];
    if (w.state == W_STARTING || now - w.started < SHORT_LIFE)
        ss->fails++;
    else
        ss->fails = 0;
    double delay = ss->fails <= 1 ? 0 : fmin(0.25 * pow(2, ss->fails - 2), 10.0);
    metrics_worker_respawned(m->metrics);
    if (delay > 0) {
        log_error("worker %ld (slot %d) %s; it keeps dying at start-up, respawning in %.2fs",
                  (long)w.pid, w.slot, how, delay);
        ss->in_rotation = 0;
        resteer(m);
        ss->respawn_at = now + delay;
    } else {
        log_warn("worker %ld (slot %d, generation %u) %s; respawning", (long)w.pid, w.slot, w.gen, how);
        if (!spawn(m, w.slot, m->cfg, m->app, m->gen, R_CURRENT))
            ss->respawn_at = now + 1;
    }
}

static void reap(struct master *m)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == m->upg_pid) {
            char how[128];
            describe_status(status, how, sizeof how);
            m->upg_pid = 0;
            if (m->upg_fd >= 0)
                upgrade_failed(m, how);
            else
                log_info("new master %ld exited: %s", (long)pid, how);
            continue;
        }
        for (int i = 0; i < m->nw; i++)
            if (m->w[i].pid == pid) {
                worker_exited(m, i, status);
                break;
            }
    }
}

/* Deadlines: start-up, drain, heartbeat, respawn back-off, leaving slots.
 * Returns the time of the next deadline. */
static double timers(struct master *m)
{
    double now = now_mono(), next = now + 1.0;
    for (int i = 0; i < m->nw; i++) {
        struct mworker *w = &m->w[i];
        if (w->state == W_STARTING) {
            double limit = w->started + (m->rl.active ? m->rl.cfg->start_timeout : m->cfg->start_timeout);
            if (now >= limit && w->kill_at == 0) {
                log_error("worker %ld (slot %d, generation %u) did not report ready within %gs; killed",
                          (long)w->pid, w->slot, w->gen, limit - w->started);
                kill(w->pid, SIGKILL);
                w->kill_at = now;
            } else if (limit < next) {
                next = limit;
            }
        }
        if (w->kill_at > 0 && w->state == W_DRAINING) {
            if (now >= w->kill_at) {
                log_warn("worker %ld (slot %d) still running after its grace period; killed",
                         (long)w->pid, w->slot);
                kill(w->pid, SIGKILL);
                w->kill_at = now + 3600;
            } else if (w->kill_at < next) {
                next = w->kill_at;
            }
        }
        if (w->state == W_READY && m->cfg->worker_timeout > 0 && w->midx >= 0) {
            double age = metrics_heartbeat_age(m->metrics, w->midx, now);
            if (age > m->cfg->worker_timeout) {
                log_error("worker %ld (slot %d) has not stamped its heartbeat for %.1fs "
                          "(worker_timeout %gs); killed", (long)w->pid, w->slot, age,
                          m->cfg->worker_timeout);
                kill(w->pid, SIGKILL);
                w->state = W_DRAINING;
                w->kill_at = now + 3600;
            }
        }
    }
    if (m->stopping)
        return next;
    for (int s = 0; s < ETD_MAX_WORKERS; s++) {
        struct slot_state *ss = &m->slot[s];
        if (ss->respawn_at > 0 && s < m->nslots) {
            if (now >= ss->respawn_at) {
                ss->respawn_at = 0;
                if (!slot_current(m, s) && !spawn(m, s, m->cfg, m->app, m->gen, R_CURRENT))
                    ss->respawn_at = now + 1;
            } else if (ss->respawn_at < next) {
                next = ss->respawn_at;
            }
        }
        if (ss->retire_at > 0) {
            int queued = 0;
            for (int a = 0; a < m->naddr; a++)
                if (m->fd[a][s] >= 0) {
                    int q = listen_queue_len(m->fd[a][s]);
                    queued += q > 0 ? q : 0;
                }
            if (now >= ss->retire_at && (queued == 0 || now >= ss->retire_at + RETIRE_MAX_WAIT)) {
                struct mworker *w = NULL;
                for (int i = 0; i < m->nw; i++)
                    if (m->w[i].slot == s && m->w[i].role == R_RETIRING)
                        w = &m->w[i];
                if (queued)
                    log_warn("slot %d: %d connection%s still queued after %gs; closing", s,
                             queued, queued == 1 ? "" : "s", RETIRE_MAX_WAIT);
                if (w) {
                    w->role = R_OLD;
                    signal_worker(w, SIGTERM, m->cfg->graceful_timeout);
                }
                close_slot_sockets(m, s);
                ss->retire_at = 0;
            } else {
                double at = now >= ss->retire_at ? now + 0.05 : ss->retire_at;
                if (at < next)
                    next = at;
            }
        }
    }
    return next;
}

static void handle_signals(struct master *m)
{
    if (sig_chld) {
        sig_chld = 0;
        reap(m);
    }
    if (sig_int || sig_quit) {
        int sig = sig_quit ? SIGQUIT : SIGINT;
        sig_int = sig_quit = 0;
        begin_stop(m, 2, sig);
    }
    if (sig_term) {
        sig_term = 0;
        begin_stop(m, 1, SIGTERM);
    }
    if (sig_usr1) {
        sig_usr1 = 0;
        log_notice("reopening log files");
        log_reopen();
        if (m->cfg->user && geteuid() == 0) {
            struct passwd *pw = getpwnam(m->cfg->user);
            if (pw)
                log_chown(pw->pw_uid, pw->pw_gid);
        }
        for (int i = 0; i < m->nw; i++)
            kill(m->w[i].pid, SIGUSR1);
    }
    if (sig_hup) {
        sig_hup = 0;
        if (!m->stopping)
            m->want_reload = 1;
    }
    if (sig_usr2) {
        sig_usr2 = 0;
        if (!m->stopping && !m->starting)
            upgrade_begin(m);
    }
    if (sig_ttin || sig_ttou) {
        int delta = (int)sig_ttin - (int)sig_ttou;
        sig_ttin = sig_ttou = 0;
        if (!m->stopping) {
            int want = m->want_slots + delta;
            m->want_slots = want < 1 ? 1 : want > ETD_MAX_WORKERS ? ETD_MAX_WORKERS : want;
            log_notice("%s: %d worker%s wanted", delta >= 0 ? "TTIN" : "TTOU", m->want_slots,
                       m->want_slots == 1 ? "" : "s");
        }
    }
}

static void master_loop(struct master *m)
{
    struct pollfd pfd[MAX_PROCS + 2];
    struct mworker *pw[MAX_PROCS + 2];
    sigset_t waitmask = m->orig_mask;
    for (int i = 0; i < NHANDLED; i++)
        sigdelset(&waitmask, handled_signals[i]);

    for (;;) {
        handle_signals(m);
        if (m->stopping && m->nw == 0)
            break;
        if (!m->stopping && !m->starting && !m->rl.active) {
            if (m->want_reload)
                reload_begin(m);
            if (!m->rl.active)
                resize_step(m);
        }
        double next = timers(m);
        if (m->stopping && m->nw == 0)
            break;

        int n = 0;
        for (int i = 0; i < m->nw && n < MAX_PROCS; i++)
            if (m->w[i].ready_fd >= 0) {
                pfd[n] = (struct pollfd){ .fd = m->w[i].ready_fd, .events = POLLIN };
                pw[n++] = &m->w[i];
            }
        int upg = -1;
        if (m->upg_fd >= 0) {
            upg = n;
            pfd[n++] = (struct pollfd){ .fd = m->upg_fd, .events = POLLIN };
        }
        double wait = next - now_mono();
        if (wait < 0)
            wait = 0;
        struct timespec ts = { (time_t)wait, (long)((wait - floor(wait)) * 1e9) };
        int r = ppoll(pfd, (nfds_t)n, &ts, &waitmask);
        if (r <= 0)
            continue;
        /* pw[] points into m->w, which the handlers below may reorder: collect first. */
        pid_t ready[MAX_PROCS + 2];
        int nready = 0;
        for (int i = 0; i < n; i++) {
            if (i == upg || !pfd[i].revents)
                continue;
            char c = 0;
            ssize_t got = read(pfd[i].fd, &c, 1);
            if (got < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            close(pw[i]->ready_fd);
            pw[i]->ready_fd = -1;
            if (got == 1 && c == 'R')
                ready[nready++] = pw[i]->pid;
        }
        if (upg >= 0 && pfd[upg].revents) {
            char c = 0;
            ssize_t got = read(m->upg_fd, &c, 1);
            if (got == 1 && c == 'R') {
                close(m->upg_fd);
                m->upg_fd = -1;
                log_notice("binary upgrade: new master %ld is ready; this master drains and exits",
                           (long)m->upg_pid);
                m->handed_over = 1;
                begin_stop(m, 1, SIGTERM);
            } else if (got == 0 || (got < 0 && errno != EINTR)) {
                upgrade_failed(m, "the new master exited before it was ready");
            }
        }
        for (int k = 0; k < nready; k++)
            for (int i = 0; i < m->nw; i++)
                if (m->w[i].pid == ready[k] && m->w[i].state == W_STARTING) {
                    worker_ready(m, &m->w[i]);
                    break;
                }
    }
}

/* ---- entry ----------------------------------------------------------------- */

int master_run(struct etd_config *cfg, void *app, const struct master_options *opt)
{
    char err[1024];
    struct master mm, *m = &mm;
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    m->app = app;
    m->opt = *opt;
    m->gen = m->last_gen = 1;
    m->upg_fd = m->upg_notify_fd = m->started_fd = -1;
    m->pid = getpid();
    for (int a = 0; a < ETD_MAX_LISTEN; a++) {
        m->shared[a] = -1;
        for (int s = 0; s < ETD_MAX_WORKERS; s++)
            m->fd[a][s] = -1;
    }

    const char *upg = getenv("ETAMILD_UPGRADE_FD");
    if (upg) {
        m->upg_notify_fd = atoi(upg);
        fcntl(m->upg_notify_fd, F_SETFD, FD_CLOEXEC);
        unsetenv("ETAMILD_UPGRADE_FD");
    }

    /* Sockets: inherited ones first, then one per slot for each address. */
    int adopted = 0;
    m->naddr = cfg->nlisten;
    memcpy(m->addr, cfg->listen, sizeof cfg->listen);
    /* Inherited descriptors first, before any descriptor of ours can take
     * their numbers (messages here still go to stderr). */
    if (adopt_inherited(m, cfg, &adopted) < 0)
        goto fail;
    if (log_open(cfg->error_log, cfg->log_level, cfg->access_log) < 0)
        goto fail;
    for (int a = 0; a < m->naddr; a++)
        if (m->inherited[a])
            log_info("listen %s: took over %d inherited socket%s%s", m->addr[a].text,
                     m->inherited[a], m->inherited[a] > 1 ? "s" : "",
                     m->shared[a] >= 0 ? " (no SO_REUSEPORT: shared by every worker)" : "");
    if (cfg->user && geteuid() == 0) {
        struct passwd *pw = getpwnam(cfg->user);
        if (pw)
            log_chown(pw->pw_uid, pw->pw_gid);
    } else if ((cfg->user || cfg->group) && geteuid() != 0) {
        log_warn("user/group ignored: the master is not running as root");
    }

    m->nslots = adopted > cfg->workers ? adopted : cfg->workers;
    m->want_slots = cfg->workers;
    for (int a = 0; a < m->naddr; a++) {
        int have = m->shared[a] >= 0 || m->fd[a][0] >= 0;
        if ((!have && listen_probe(&m->addr[a], err, sizeof err) < 0) ||
            open_sockets(m, a, 0, m->nslots, cfg->backlog, err, sizeof err) < 0) {
            fprintf(stderr, "etamild: %s\n", err);
            log_error("%s", err);
            goto fail;
        }
    }
    for (int s = 0; s < m->nslots; s++)
        m->slot[s].in_rotation = 1;

    if (cfg->daemonize && !upg && daemonize(m) < 0) {
        fprintf(stderr, "etamild: cannot daemonize: %s\n", strerror(errno));
        goto fail;
    }

    m->metrics = metrics_create(MAX_PROCS);
    if (!m->metrics) {
        log_error("cannot create the shared metrics: %s", strerror(errno));
        goto fail;
    }
    metrics_set_generation(m->metrics, m->gen);
    metrics_set_workers(m->metrics, m->nslots);

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigset_t block;
    sigemptyset(&block);
    for (int i = 0; i < NHANDLED; i++)
        sigaddset(&block, handled_signals[i]);
    sigprocmask(SIG_BLOCK, &block, &m->orig_mask);
    for (int i = 0; i < NHANDLED; i++)
        sigaction(handled_signals[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    resteer(m);
    log_info("master %ld: %d worker slot%s on %d address%s", (long)getpid(), m->nslots,
             m->nslots == 1 ? "" : "s", m->naddr, m->naddr == 1 ? "" : "es");
    m->starting = 1;
    for (int s = 0; s < m->nslots; s++)
        if (!spawn(m, s, cfg, app, m->gen, R_CURRENT)) {
            m->exit_status = 1;
            begin_stop(m, 2, SIGINT);
            break;
        }

    master_loop(m);

    if (!m->handed_over)
        remove_pid_file(m);
    else
        free(m->pid_file);
    for (int a = m->naddr - 1; a >= 0; a--)
        remove_address(m, a);
    if (m->upg_fd >= 0)
        close(m->upg_fd);
    if (m->started_fd >= 0)
        close(m->started_fd);
    log_notice("master %ld exiting (status %d)", (long)getpid(), m->exit_status);
    metrics_destroy(m->metrics);
    free(m->w);
    config_free(m->cfg);
    master_free_app(m->app);
    log_close();
    return m->exit_status;
fail:
    /* Start-up failed before any worker existed: the configuration and the
     * app are ours to free (the sockets close with the process). */
    config_free(cfg);
    master_free_app(app);
    log_close();
    return 1;
}
