/*
 * Reference B of bench/run, and the webhook receiver of scenario 4: a minimal libmicrohttpd
 * server with the portal's threading settings (the same daemon flags as portal/http.c, a pool
 * of PORTAL_THREADS threads, the response queued only on the final call so connections stay
 * alive).
 *
 *   ref_mhd static PORT THREADS FILE   answers every request with FILE's bytes (JSON, 200)
 *   ref_mhd sink PORT THREADS LOG      answers every POST with 204 after reading its body, and
 *                                      appends "<arrival µs since the epoch> <application>
 *                                      <webhook-id>" to LOG for each; GET /count answers the
 *                                      number of POSTs received so far
 *
 * Runs until SIGINT or SIGTERM. Exit 1 when it cannot start.
 */
#define _GNU_SOURCE
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char *body;
static size_t body_len;
static FILE *sink_log;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long received;
static int sink_mode;

struct req {
	char app[48];
	size_t seen;
};

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Pulls "application":"<ref>" out of the first chunk of a webhook body. */
static void note_application(struct req *r, const char *data, size_t n)
{
	static const char key[] = "\"application\":\"";
	const char *p = memmem(data, n, key, sizeof(key) - 1);
	if (!p || r->app[0])
		return;
	p += sizeof(key) - 1;
	size_t i = 0;
	while (p + i < data + n && p[i] != '"' && i < sizeof(r->app) - 1)
		i++;
	memcpy(r->app, p, i);
	r->app[i] = 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *data,
			     size_t len)
{
	struct MHD_Response *res =
		MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(res, "Content-Type", "application/json; charset=utf-8");
	enum MHD_Result ok = MHD_queue_response(c, status, res);
	MHD_destroy_response(res);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	(void)cls, (void)version;
	struct req *r = *con_cls;
	if (!r) { /* first call: headers only; answering now would close the connection */
		*con_cls = calloc(1, sizeof(*r));
		return *con_cls ? MHD_YES : MHD_NO;
	}
	if (*size) {
		if (sink_mode)
			note_application(r, data, *size);
		r->seen += *size;
		*size = 0;
		return MHD_YES;
	}
	if (!sink_mode)
		return reply(c, 200, body, body_len);
	if (strcmp(method, "POST") != 0) {
		static char count[32];
		int n = snprintf(count, sizeof(count), "%ld\n", atomic_load(&received));
		(void)url;
		/* a private copy per call would be tidier; the bench reads it from one client */
		return reply(c, 200, count, (size_t)n);
	}
	atomic_fetch_add(&received, 1);
	const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
	long long t = now_us();
	pthread_mutex_lock(&log_lock);
	fprintf(sink_log, "%lld %s %s\n", t, r->app[0] ? r->app : "-", id ? id : "-");
	fflush(sink_log); /* the bench reads the log while this runs */
	pthread_mutex_unlock(&log_lock);
	return reply(c, 204, "", 0);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c, (void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

static int load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0)
		return -1;
	body_len = (size_t)st.st_size;
	body = malloc(body_len + 1);
	size_t got = body ? fread(body, 1, body_len, f) : 0;
	fclose(f);
	return got == body_len ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 5 || (strcmp(argv[1], "static") && strcmp(argv[1], "sink"))) {
		fputs("usage: ref_mhd static|sink PORT THREADS FILE\n", stderr);
		return 2;
	}
	sink_mode = strcmp(argv[1], "sink") == 0;
	if (sink_mode) {
		sink_log = fopen(argv[4], "w");
		if (sink_log)
			setvbuf(sink_log, NULL, _IOFBF, 1 << 16);
	}
	if (sink_mode ? !sink_log : load_file(argv[4]) != 0) {
		fprintf(stderr, "ref_mhd: cannot open %s\n", argv[4]);
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* The portal's flags and limits (portal/http.c, portal/config.c defaults). */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_USE_TURBO | MHD_USE_ITC;
	/* as portal/http.c: one thread is libmicrohttpd's polling thread, asked for without a pool */
	struct MHD_OptionItem pool[] = {
		{ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)atoi(argv[3]), NULL },
		{ MHD_OPTION_END, 0, NULL },
	};
	if (atoi(argv[3]) <= 1)
		pool[0].option = MHD_OPTION_END;
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, (uint16_t)atoi(argv[2]), NULL, NULL, on_request, NULL,
		MHD_OPTION_ARRAY, pool, MHD_OPTION_CONNECTION_LIMIT,
		1024u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
		NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "ref_mhd: cannot listen on port %s\n", argv[2]);
		return 1;
	}
	int sig = 0;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	if (sink_log)
		fclose(sink_log);
	free(body);
	return 0;
}
