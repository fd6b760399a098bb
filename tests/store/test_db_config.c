/*
 * PORTAL_DB naming one server or the nodes of a cluster (store_config_parse), and the pool
 * moving to the next node when the first does not answer and back when it does.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "store/db.h"
#include "support/harness.h"

struct url_case {
	const char *url;
	int rc;
	size_t nnodes;
	const char *nodes;  /* "host:port host:port ..." */
	const char *socket; /* NULL: none */
	int sync_wait;
};

static const struct url_case cases[] = {
	{ "mariadb://u:p@db:3307/portal", 0, 1, "db:3307", NULL, -1 },
	{ "mariadb://root@localhost/portal?socket=/tmp/s.sock", 0, 1, "localhost:0", "/tmp/s.sock",
	  -1 },
	{ "mariadb:///portal", 0, 1, "localhost:0", NULL, -1 },
	{ "mariadb://u@a:3311,b:3312,c:3313/portal", 0, 3, "a:3311 b:3312 c:3313", NULL, 1 },
	{ "mariadb://u@a,b:3312/portal", 0, 2, "a:0 b:3312", NULL, 1 },
	{ "mariadb://u@a:1,b:2/portal?sync_wait=0", 0, 2, "a:1 b:2", NULL, 0 },
	{ "mariadb://u@a:1/portal?sync_wait=3", 0, 1, "a:1", NULL, 3 },
	{ "mariadb://u@a:1,/portal", ERR_INVALID, 0, NULL, NULL, 0 },
	{ "mariadb://u@,a:1/portal", ERR_INVALID, 0, NULL, NULL, 0 },
	{ "mariadb://u@a:1,b:x/portal", ERR_INVALID, 0, NULL, NULL, 0 },
	{ "mariadb://u@a:1,b:70000/portal", ERR_INVALID, 0, NULL, NULL, 0 },
	{ "mariadb://u@a:1,b:2/portal?sync_wait=x", ERR_INVALID, 0, NULL, NULL, 0 },
	{ "mariadb://u@a,b/portal?socket=/tmp/s", ERR_INVALID, 0, NULL, NULL, 0 },
	{ "mariadb://u@a:1,b:2/", ERR_INVALID, 0, NULL, NULL, 0 },
};

ParameterizedTestParameters(db_config, urls)
{
	static size_t rows[sizeof(cases) / sizeof(cases[0])];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(size_t *row, db_config, urls)
{
	const struct url_case *c = &cases[*row];
	struct store_config cfg;
	struct error err = ERROR_INIT;
	int rc = store_config_parse(c->url, &cfg, &err);
	cr_assert_eq(rc, c->rc, "%s: %d (%s)", c->url, rc, err.message);
	error_release(&err);
	if (rc)
		return;
	cr_expect_eq(cfg.nnodes, c->nnodes, "%s", c->url);
	char got[200] = "";
	for (size_t i = 0; i < cfg.nnodes; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%u", i ? " " : "",
			 cfg.nodes[i].host, cfg.nodes[i].port);
	cr_expect_str_eq(got, c->nodes, "%s", c->url);
	cr_expect_str_eq(cfg.host, cfg.nodes[0].host, "host is the first node");
	cr_expect_eq(cfg.port, cfg.nodes[0].port);
	if (c->socket)
		cr_expect_str_eq(cfg.socket, c->socket);
	else
		cr_expect_null(cfg.socket);
	cr_expect_eq(cfg.sync_wait, c->sync_wait, "%s", c->url);
	store_config_release(&cfg);
}

/*
 * A "node": a TCP port on 127.0.0.1 relaying to the test server's socket, counting the
 * connections it accepted. Stopping it closes the port and cuts every relayed connection, as
 * a killed server would; starting it again reopens the same port.
 */
struct node {
	int port;
	int lfd;
	atomic_int accepted;
	atomic_bool down;
	pthread_t thread;
	int fds[64];
	int nfds;
	pthread_mutex_t lock;
};

struct pipe_pair {
	int a, b;
};

static void *relay(void *arg)
{
	struct pipe_pair *p = arg;
	struct pollfd pf[2] = { { p->a, POLLIN, 0 }, { p->b, POLLIN, 0 } };
	char buf[16384];
	for (;;) {
		if (poll(pf, 2, 200) < 0)
			break;
		int from = pf[0].revents ? 0 : pf[1].revents ? 1 : -1;
		if (from < 0)
			continue;
		ssize_t n = read(pf[from].fd, buf, sizeof(buf));
		if (n <= 0 || write(pf[1 - from].fd, buf, (size_t)n) != n)
			break;
	}
	shutdown(p->a, SHUT_RDWR);
	shutdown(p->b, SHUT_RDWR);
	close(p->a);
	close(p->b);
	free(p);
	return NULL;
}

static void *node_loop(void *arg)
{
	struct node *n = arg;
	for (;;) {
		int fd = accept(n->lfd, NULL, NULL);
		if (fd < 0)
			return NULL; /* the listening socket was shut down */
		int up = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", getenv("PORTAL_TEST_SOCKET"));
		if (connect(up, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			close(fd);
			close(up);
			continue;
		}
		atomic_fetch_add(&n->accepted, 1);
		pthread_mutex_lock(&n->lock);
		if (n->nfds < 64)
			n->fds[n->nfds++] = fd;
		pthread_mutex_unlock(&n->lock);
		struct pipe_pair *p = malloc(sizeof(*p));
		p->a = fd;
		p->b = up;
		pthread_t t;
		pthread_create(&t, NULL, relay, p);
		pthread_detach(t);
	}
}

static void node_start(struct node *n)
{
	n->lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(n->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)n->port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(n->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0, "bind %d", n->port);
	socklen_t len = sizeof(sa);
	getsockname(n->lfd, (struct sockaddr *)&sa, &len);
	n->port = ntohs(sa.sin_port);
	listen(n->lfd, 16);
	pthread_mutex_init(&n->lock, NULL);
	pthread_create(&n->thread, NULL, node_loop, n);
}

static void node_stop(struct node *n)
{
	shutdown(n->lfd, SHUT_RDWR);
	pthread_join(n->thread, NULL);
	close(n->lfd);
	pthread_mutex_lock(&n->lock);
	for (int i = 0; i < n->nfds; i++)
		shutdown(n->fds[i], SHUT_RDWR); /* the relay closes it */
	n->nfds = 0;
	pthread_mutex_unlock(&n->lock);
}

static int ping(struct store_pool *pool)
{
	struct error err = ERROR_INIT;
	int rc = store_ping(pool, &err);
	if (rc)
		fprintf(stderr, "ping: %s\n", err.message);
	error_release(&err);
	return rc;
}

Test(db_config, the_pool_moves_to_the_next_node_when_one_is_lost_and_back_when_it_returns,
     .timeout = 60)
{
	struct node a = { 0 }, b = { 0 };
	node_start(&a);
	node_start(&b);
	char url[300];
	snprintf(url, sizeof(url), "mariadb://root@127.0.0.1:%d,127.0.0.1:%d/mysql", a.port,
		 b.port);
	struct store_config cfg;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_config_parse(url, &cfg, &err), 0, "%s", err.message);
	struct store_pool *pool = store_pool_new(&cfg, 2);
	store_config_release(&cfg);

	cr_expect_eq(ping(pool), 0);
	cr_expect_eq(atomic_load(&a.accepted), 1, "the first node first");
	cr_expect_eq(atomic_load(&b.accepted), 0);

	node_stop(&a);
	/* the pooled connection dies with its node: one request may see it, then the next node */
	int ok = 0;
	for (int i = 0; i < 3; i++)
		ok += ping(pool) == 0;
	cr_expect_geq(ok, 2, "the pool answers from the second node");
	cr_expect_geq(atomic_load(&b.accepted), 1, "moved to the second node");

	node_start(&a); /* the same port again */
	int before = atomic_load(&a.accepted);
	for (int i = 0; i < 80 && atomic_load(&a.accepted) == before; i++) {
		cr_expect_eq(ping(pool), 0, "answers while coming back");
		usleep(100000);
	}
	cr_expect_gt(atomic_load(&a.accepted), before, "back on the first node within 8 s");
	/* once back, a connection to the second node is closed when it is given back */
	for (int i = 0; i < 5; i++)
		cr_expect_eq(ping(pool), 0);
	int in_use, open, size;
	store_pool_usage(pool, &in_use, &open, &size);
	cr_expect_leq(open, 2);
	store_pool_free(pool);
	node_stop(&a);
	node_stop(&b);
}

/*
 * A transaction on a cluster pool that the server rolled back without the client seeing it (a
 * Galera abort reported on a command without a reply): the statements after it must not commit
 * on their own, and the transaction runs again whole. The abort is played by a ROLLBACK inside
 * the first attempt.
 */
struct guard_ctx {
	int attempts;
};

static int guarded_work(struct store_conn *c, void *arg, struct error *err)
{
	struct guard_ctx *g = arg;
	g->attempts++;
	int rc = store_run(c, "INSERT INTO guard_t (id) VALUES (1)", NULL, 0, NULL, NULL, err);
	if (!rc && g->attempts == 1)
		rc = store_run(c, "ROLLBACK", NULL, 0, NULL, NULL, err);
	if (!rc)
		rc = store_run(c, "INSERT INTO guard_t (id) VALUES (2)", NULL, 0, NULL, NULL, err);
	return rc;
}

static long long guard_rows(struct store_pool *pool, const char *sql)
{
	struct store_conn *c = store_acquire(pool, 5000, NULL);
	cr_assert(c);
	struct store_result *r = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_exec(c, sql, NULL, 0, &r, &err), 0, "%s", err.message);
	long long n = store_cell_ll(r, 0, 0, -1);
	store_result_free(r);
	store_release(c);
	return n;
}

Test(db_config, a_cluster_transaction_rolled_back_unseen_commits_nothing_of_its_rest_and_reruns,
     .timeout = 60)
{
	struct node a = { 0 };
	node_start(&a);
	char url[300];
	snprintf(url, sizeof(url), "mariadb://root@127.0.0.1:%d,127.0.0.1:%d/mysql", a.port,
		 a.port);
	struct store_config cfg;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_config_parse(url, &cfg, &err), 0, "%s", err.message);
	struct store_pool *pool = store_pool_new(&cfg, 1);
	store_config_release(&cfg);
	struct store_conn *c = store_acquire(pool, 5000, &err);
	cr_assert(c, "%s", err.message);
	cr_assert_eq(store_run(c, "DROP TABLE IF EXISTS guard_t", NULL, 0, NULL, NULL, &err), 0,
		     "%s", err.message);
	cr_assert_eq(store_run(c, "CREATE TABLE guard_t (id INT PRIMARY KEY) ENGINE=InnoDB", NULL,
			       0, NULL, NULL, &err),
		     0, "%s", err.message);
	store_release(c);

	struct guard_ctx g = { 0 };
	int rc = store_tx(pool, guarded_work, &g, &err);
	cr_expect_eq(rc, 0, "the transaction runs again and commits: %s",
		     err.message ? err.message : "");
	cr_expect_eq(g.attempts, 2, "once rolled back unseen, once whole");
	cr_expect_eq(guard_rows(pool, "SELECT COUNT(*) FROM guard_t"), 2, "both rows, each once");
	/* the connection is back in autocommit: a write outside a transaction is kept */
	c = store_acquire(pool, 5000, &err);
	cr_assert(c);
	cr_expect_eq(store_run(c, "INSERT INTO guard_t (id) VALUES (3)", NULL, 0, NULL, NULL, &err),
		     0);
	store_release(c);
	struct store_conn *other = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(other);
	struct store_result *r = NULL;
	cr_expect_eq(store_exec(other, "SELECT COUNT(*) FROM mysql.guard_t", NULL, 0, &r, &err), 0);
	cr_expect_eq(store_cell_ll(r, 0, 0, -1), 3, "seen from another connection");
	store_result_free(r);
	store_run(other, "DROP TABLE mysql.guard_t", NULL, 0, NULL, NULL, &err);
	store_release(other);
	error_release(&err);
	store_pool_free(pool);
	node_stop(&a);
}
