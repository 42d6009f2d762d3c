//! What shipshape knows about well-known server images: which are stateful servers that
//! take a moment to accept connections, the ports they listen on, and a readiness probe
//! to suggest. A table, not code: add a row to teach a rule about a new image.

use std::sync::LazyLock;

/// A server image family.
pub struct ServerImage {
    /// Repository paths, without registry or tag (`library/` is implied for one word).
    pub repositories: &'static [&'static str],
    /// What it is, for messages: "a PostgreSQL server".
    pub what: &'static str,
    /// Ports it listens on by default.
    pub ports: &'static [u16],
    /// Words in environment keys that name it (`DB`, `POSTGRES`).
    pub key_words: &'static [&'static str],
    /// A healthcheck test that says when it is ready.
    pub healthcheck: &'static str,
}

pub const SERVER_IMAGES: &[ServerImage] = &[
    ServerImage {
        repositories: &[
            "postgres",
            "postgis/postgis",
            "bitnami/postgresql",
            "timescale/timescaledb",
            "timescale/timescaledb-ha",
            "pgvector/pgvector",
            "supabase/postgres",
        ],
        what: "a PostgreSQL server",
        ports: &[5432],
        key_words: &["POSTGRES", "PG", "DB", "DATABASE"],
        healthcheck: "[\"CMD-SHELL\", \"pg_isready -U postgres\"]",
    },
    ServerImage {
        repositories: &[
            "mysql",
            "bitnami/mysql",
            "percona",
            "percona/percona-server",
        ],
        what: "a MySQL server",
        ports: &[3306],
        key_words: &["MYSQL", "DB", "DATABASE"],
        healthcheck: "[\"CMD\", \"mysqladmin\", \"ping\", \"-h\", \"localhost\"]",
    },
    ServerImage {
        repositories: &[
            "mariadb",
            "bitnami/mariadb",
            "yobasystems/alpine-mariadb",
            "linuxserver/mariadb",
        ],
        what: "a MariaDB server",
        ports: &[3306],
        key_words: &["MARIADB", "MYSQL", "DB", "DATABASE"],
        healthcheck: "[\"CMD\", \"healthcheck.sh\", \"--connect\", \"--innodb_initialized\"]",
    },
    ServerImage {
        repositories: &[
            "mongo",
            "bitnami/mongodb",
            "mongodb/mongodb-community-server",
            "percona/percona-server-mongodb",
        ],
        what: "a MongoDB server",
        ports: &[27017],
        key_words: &["MONGO", "DB", "DATABASE"],
        healthcheck: "[\"CMD\", \"mongosh\", \"--quiet\", \"--eval\", \"db.adminCommand('ping')\"]",
    },
    ServerImage {
        repositories: &[
            "redis",
            "bitnami/redis",
            "redis/redis-stack",
            "redis/redis-stack-server",
            "valkey/valkey",
            "bitnami/valkey",
            "eqalpha/keydb",
            "docker.dragonflydb.io/dragonflydb/dragonfly",
        ],
        what: "a Redis server",
        ports: &[6379],
        key_words: &["REDIS", "VALKEY", "CACHE", "KEYDB"],
        healthcheck: "[\"CMD\", \"redis-cli\", \"ping\"]",
    },
    ServerImage {
        repositories: &["rabbitmq", "bitnami/rabbitmq"],
        what: "a RabbitMQ broker",
        ports: &[5672, 15672],
        key_words: &["RABBIT", "RABBITMQ", "AMQP", "BROKER", "QUEUE", "MQ"],
        healthcheck: "[\"CMD\", \"rabbitmq-diagnostics\", \"-q\", \"ping\"]",
    },
    ServerImage {
        repositories: &[
            "bitnami/kafka",
            "confluentinc/cp-kafka",
            "apache/kafka",
            "apache/kafka-native",
            "wurstmeister/kafka",
            "redpandadata/redpanda",
            "vectorized/redpanda",
        ],
        what: "a Kafka broker",
        ports: &[9092],
        key_words: &["KAFKA", "BROKER", "BOOTSTRAP"],
        healthcheck: "[\"CMD-SHELL\", \"kafka-topics.sh --bootstrap-server localhost:9092 --list\"]",
    },
    ServerImage {
        repositories: &[
            "zookeeper",
            "bitnami/zookeeper",
            "confluentinc/cp-zookeeper",
            "wurstmeister/zookeeper",
        ],
        what: "a ZooKeeper server",
        ports: &[2181],
        key_words: &["ZOOKEEPER", "ZK"],
        healthcheck: "[\"CMD-SHELL\", \"echo ruok | nc localhost 2181 | grep imok\"]",
    },
    ServerImage {
        repositories: &[
            "elasticsearch",
            "docker.elastic.co/elasticsearch/elasticsearch",
            "bitnami/elasticsearch",
        ],
        what: "an Elasticsearch node",
        ports: &[9200, 9300],
        key_words: &["ELASTIC", "ELASTICSEARCH", "ES", "SEARCH"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fs http://localhost:9200/_cluster/health\"]",
    },
    ServerImage {
        repositories: &["opensearchproject/opensearch", "bitnami/opensearch"],
        what: "an OpenSearch node",
        ports: &[9200, 9600],
        key_words: &["OPENSEARCH", "SEARCH"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fsk https://localhost:9200/_cluster/health\"]",
    },
    ServerImage {
        repositories: &["minio/minio", "bitnami/minio", "quay.io/minio/minio"],
        what: "a MinIO server",
        ports: &[9000, 9001],
        key_words: &["MINIO", "S3"],
        healthcheck: "[\"CMD\", \"mc\", \"ready\", \"local\"]",
    },
    ServerImage {
        repositories: &["memcached", "bitnami/memcached"],
        what: "a Memcached server",
        ports: &[11211],
        key_words: &["MEMCACHE", "MEMCACHED", "CACHE"],
        healthcheck: "[\"CMD-SHELL\", \"echo stats | nc localhost 11211\"]",
    },
    ServerImage {
        repositories: &["cassandra", "bitnami/cassandra", "scylladb/scylla"],
        what: "a Cassandra node",
        ports: &[9042],
        key_words: &["CASSANDRA", "SCYLLA", "CQL"],
        healthcheck: "[\"CMD-SHELL\", \"cqlsh -e 'describe keyspaces'\"]",
    },
    ServerImage {
        repositories: &["nats", "bitnami/nats"],
        what: "a NATS server",
        ports: &[4222],
        key_words: &["NATS"],
        healthcheck: "[\"CMD\", \"wget\", \"-qO-\", \"http://localhost:8222/healthz\"]",
    },
    ServerImage {
        repositories: &["couchdb", "bitnami/couchdb"],
        what: "a CouchDB server",
        ports: &[5984],
        key_words: &["COUCH", "COUCHDB"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fs http://localhost:5984/_up\"]",
    },
    ServerImage {
        repositories: &["neo4j"],
        what: "a Neo4j server",
        ports: &[7687, 7474],
        key_words: &["NEO4J", "BOLT"],
        healthcheck: "[\"CMD-SHELL\", \"wget -qO- http://localhost:7474\"]",
    },
    ServerImage {
        repositories: &[
            "clickhouse/clickhouse-server",
            "yandex/clickhouse-server",
            "bitnami/clickhouse",
        ],
        what: "a ClickHouse server",
        ports: &[8123, 9000],
        key_words: &["CLICKHOUSE"],
        healthcheck: "[\"CMD-SHELL\", \"wget -qO- http://localhost:8123/ping\"]",
    },
    ServerImage {
        repositories: &["influxdb", "bitnami/influxdb"],
        what: "an InfluxDB server",
        ports: &[8086],
        key_words: &["INFLUX", "INFLUXDB"],
        healthcheck: "[\"CMD\", \"influx\", \"ping\"]",
    },
    ServerImage {
        repositories: &[
            "mcr.microsoft.com/mssql/server",
            "mcr.microsoft.com/azure-sql-edge",
        ],
        what: "a SQL Server instance",
        ports: &[1433],
        key_words: &["MSSQL", "SQLSERVER", "DB", "DATABASE"],
        healthcheck: "[\"CMD-SHELL\", \"/opt/mssql-tools18/bin/sqlcmd -C -Q 'SELECT 1'\"]",
    },
    ServerImage {
        repositories: &["cockroachdb/cockroach"],
        what: "a CockroachDB node",
        ports: &[26257],
        key_words: &["COCKROACH", "DB", "DATABASE"],
        healthcheck: "[\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/health?ready=1\"]",
    },
    ServerImage {
        repositories: &[
            "bitnami/etcd",
            "quay.io/coreos/etcd",
            "gcr.io/etcd-development/etcd",
        ],
        what: "an etcd server",
        ports: &[2379],
        key_words: &["ETCD"],
        healthcheck: "[\"CMD\", \"etcdctl\", \"endpoint\", \"health\"]",
    },
    ServerImage {
        repositories: &["hashicorp/consul", "consul", "bitnami/consul"],
        what: "a Consul agent",
        ports: &[8500],
        key_words: &["CONSUL"],
        healthcheck: "[\"CMD\", \"consul\", \"members\"]",
    },
    ServerImage {
        repositories: &["arangodb"],
        what: "an ArangoDB server",
        ports: &[8529],
        key_words: &["ARANGO"],
        healthcheck: "[\"CMD-SHELL\", \"wget -qO- http://localhost:8529/_api/version\"]",
    },
    ServerImage {
        repositories: &["couchbase", "couchbase/server"],
        what: "a Couchbase server",
        ports: &[8091, 11210],
        key_words: &["COUCHBASE"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fs http://localhost:8091/pools\"]",
    },
    ServerImage {
        repositories: &["solr", "bitnami/solr"],
        what: "a Solr server",
        ports: &[8983],
        key_words: &["SOLR", "SEARCH"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fs http://localhost:8983/solr/admin/info/system\"]",
    },
    ServerImage {
        repositories: &["apachepulsar/pulsar"],
        what: "a Pulsar broker",
        ports: &[6650],
        key_words: &["PULSAR", "BROKER"],
        healthcheck: "[\"CMD\", \"bin/pulsar-admin\", \"brokers\", \"healthcheck\"]",
    },
    ServerImage {
        repositories: &[
            "apache/activemq-artemis",
            "apache/activemq-classic",
            "rmohr/activemq",
        ],
        what: "an ActiveMQ broker",
        ports: &[61616],
        key_words: &["ACTIVEMQ", "ARTEMIS", "BROKER", "JMS"],
        healthcheck: "[\"CMD-SHELL\", \"nc -z localhost 61616\"]",
    },
    ServerImage {
        repositories: &["eclipse-mosquitto", "emqx/emqx", "emqx"],
        what: "an MQTT broker",
        ports: &[1883],
        key_words: &["MQTT", "MOSQUITTO", "EMQX", "BROKER"],
        healthcheck: "[\"CMD-SHELL\", \"nc -z localhost 1883\"]",
    },
    ServerImage {
        repositories: &["eventstore/eventstore"],
        what: "an EventStoreDB server",
        ports: &[2113],
        key_words: &["EVENTSTORE"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fs http://localhost:2113/health/live\"]",
    },
    ServerImage {
        repositories: &["questdb/questdb"],
        what: "a QuestDB server",
        ports: &[8812, 9000],
        key_words: &["QUESTDB"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fs http://localhost:9003\"]",
    },
    ServerImage {
        repositories: &["surrealdb/surrealdb"],
        what: "a SurrealDB server",
        ports: &[8000],
        key_words: &["SURREAL"],
        healthcheck: "[\"CMD\", \"/surreal\", \"is-ready\"]",
    },
    ServerImage {
        repositories: &["getmeili/meilisearch", "typesense/typesense"],
        what: "a search server",
        ports: &[7700, 8108],
        key_words: &["MEILI", "MEILISEARCH", "TYPESENSE", "SEARCH"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fs http://localhost:7700/health\"]",
    },
    ServerImage {
        repositories: &["localstack/localstack"],
        what: "LocalStack",
        ports: &[4566],
        key_words: &["LOCALSTACK", "AWS", "S3", "SQS"],
        healthcheck: "[\"CMD-SHELL\", \"curl -fs http://localhost:4566/_localstack/health\"]",
    },
];

/// An image reference without tag, digest or Docker Hub's implied prefixes:
/// `postgres:16` -> `postgres`; `docker.io/library/redis` -> `redis`;
/// `registry.io:5000/team/app:1.2` -> `registry.io:5000/team/app`.
pub fn repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    // A tag is after the last `:` that follows the last `/` (a registry port is before it).
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let no_tag = match no_digest[last_slash..].rfind(':') {
        Some(i) => &no_digest[..last_slash + i],
        None => no_digest,
    };
    let hub = no_tag.strip_prefix("docker.io/").unwrap_or(no_tag);
    hub.strip_prefix("library/").unwrap_or(hub)
}

/// The tag of an image reference, if it has one (`None` for `redis` and digests).
pub fn tag(image: &str) -> Option<&str> {
    if image.contains('@') {
        return None;
    }
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    image[last_slash..]
        .rfind(':')
        .map(|i| &image[last_slash + i + 1..])
}

/// The server image family of an image reference, if it is one of [`SERVER_IMAGES`]:
/// by its repository, or by what follows a registry host (a mirror such as
/// `mirror.gcr.io/redis`).
/// Readiness probes that depend on the image's version: (repository, first major version
/// the table's default probe works from, the probe for older tags). The official `mongo`
/// images ship the legacy `mongo` shell up to 5.x and only `mongosh` from 6.0 on
/// (docker-library/mongo: 6.0 removed `mongo`; 5.0 ships both), so a 4.4 image needs the
/// old shell.
const OLDER_HEALTHCHECKS: &[(&str, u32, &str)] = &[(
    "mongo",
    6,
    "[\"CMD\", \"mongo\", \"--quiet\", \"--eval\", \"db.adminCommand('ping')\"]",
)];

/// The healthcheck test to suggest for an image: its server's probe, or the one its
/// version needs (`mongo:4.4` -> the legacy `mongo` shell). None for an unknown image.
pub fn healthcheck_for(image: &str) -> Option<&'static str> {
    let server = server_image(image)?;
    let repo = repository(image);
    let major = tag(image).and_then(|t| {
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().ok()
    });
    let older = OLDER_HEALTHCHECKS
        .iter()
        .find(|(r, from, _)| *r == repo && major.is_some_and(|m| m < *from));
    Some(older.map_or(server.healthcheck, |(_, _, probe)| probe))
}

/// Servers that accept connections within milliseconds of starting (an in-memory store
/// with nothing to recover): a missing readiness wait on them rarely fails a run.
pub const FAST_STARTING: &[&str] = &["redis", "memcached", "valkey/valkey", "eqalpha/keydb"];

/// Whether an image is one of [`FAST_STARTING`] (any registry, tag or variant).
pub fn starts_fast(image: &str) -> bool {
    let repo = repository(image);
    FAST_STARTING
        .iter()
        .any(|f| repo == *f || repo.ends_with(&format!("/{f}")))
}

/// Variables only a database image's entrypoint reads to initialise its data directory
/// (the official images' documentation): a built service that sets one is that database.
/// Clients set `POSTGRES_PASSWORD` too, so only the initialisation-only ones count.
pub const SERVER_INIT_VARIABLES: &[(&str, &str)] = &[
    ("POSTGRES_INITDB_ARGS", "postgres"),
    ("POSTGRES_INITDB_WALDIR", "postgres"),
    ("POSTGRES_HOST_AUTH_METHOD", "postgres"),
    ("PGDATA", "postgres"),
    ("MYSQL_ROOT_PASSWORD", "mysql"),
    ("MYSQL_RANDOM_ROOT_PASSWORD", "mysql"),
    ("MYSQL_ALLOW_EMPTY_PASSWORD", "mysql"),
    ("MARIADB_ROOT_PASSWORD", "mariadb"),
    ("MARIADB_RANDOM_ROOT_PASSWORD", "mariadb"),
    ("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "mariadb"),
    ("MONGO_INITDB_ROOT_USERNAME", "mongo"),
    ("MONGO_INITDB_ROOT_PASSWORD", "mongo"),
    ("MONGO_INITDB_DATABASE", "mongo"),
];

/// The server a service's environment says it is, by an initialisation-only variable.
pub fn server_by_init_variable<'a>(
    mut names: impl Iterator<Item = &'a str>,
) -> Option<(&'static ServerImage, &'static str)> {
    names.find_map(|name| {
        let (var, image) = SERVER_INIT_VARIABLES.iter().find(|(v, _)| *v == name)?;
        Some((server_image(image)?, *var))
    })
}

/// Tools and images that wait for a TCP port or a server before running the real command
/// (`dockerize -wait tcp://db:5432 ...`, `wait-for-it.sh db:5432 -- ...`).
pub const WAIT_TOOLS: &[&str] = &[
    "wait-for-it",
    "wait-for",
    "wait_for",
    "waitfor",
    "dockerize",
    "wait4x",
    "wait-on",
    "pg_isready",
    "mysqladmin ping",
    "nc -z",
];

/// Whether a command (or an image name) waits for a server itself: a wait tool, or a
/// shell loop `until ...; do sleep ...; done`.
pub fn waits_itself(text: &str) -> bool {
    // One pass over the text for every word, case folded as it goes: each service's
    // image and command are asked, and each dependency's again (600,000 services: a
    // lowered copy and thirteen searches each were a twentieth of the run).
    static WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(WAIT_TOOLS.iter().chain(&LOOP_WORDS))
            .expect("fixed words build")
    });
    let (mut until, mut while_, mut sleep) = (false, false, false);
    for m in WORDS.find_overlapping_iter(text) {
        match m.pattern().as_usize().checked_sub(WAIT_TOOLS.len()) {
            None => return true,
            Some(0) => until = true,
            Some(1) => while_ = true,
            Some(_) => sleep = true,
        }
    }
    sleep && (until || while_)
}

/// A shell loop that waits: `until ...; do sleep ...; done`, or `while`.
const LOOP_WORDS: [&str; 3] = ["until ", "while ", "sleep"];

pub fn server_image(image: &str) -> Option<&'static ServerImage> {
    let repo = repository(image);
    let find = |r: &str| SERVER_IMAGES.iter().find(|s| s.repositories.contains(&r));
    find(repo).or_else(|| {
        let (host, rest) = repo.split_once('/')?;
        let is_registry = host.contains('.') || host.contains(':') || host == "localhost";
        is_registry
            .then(|| find(rest.strip_prefix("library/").unwrap_or(rest)))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_tools_and_loops_whatever_their_case() {
        for waits in [
            "dockerize -wait tcp://db:5432 npm start",
            "./WAIT-FOR-IT.sh db:5432 -- npm start",
            "ghcr.io/eficode/wait-for",
            "until curl -f http://api; do sleep 1; done; npm start",
            "While ! curl -f http://api; Do SLEEP 1; done",
        ] {
            assert!(waits_itself(waits), "{waits}");
        }
        for starts in ["npm start", "sleep 5 && npm start", "until-the-end", ""] {
            assert!(!waits_itself(starts), "{starts}");
        }
    }

    #[test]
    fn repositories_and_tags() {
        assert_eq!(repository("postgres:16"), "postgres");
        assert_eq!(
            repository("docker.io/library/postgres:16-alpine"),
            "postgres"
        );
        assert_eq!(
            repository("registry.example.com:5000/team/app:1.2"),
            "registry.example.com:5000/team/app"
        );
        assert_eq!(repository("redis@sha256:abc"), "redis");
        assert!(
            healthcheck_for("mongo:4.4.4")
                .unwrap()
                .contains("\"mongo\"")
        );
        assert!(healthcheck_for("mongo:5.0").unwrap().contains("\"mongo\""));
        assert!(healthcheck_for("mongo:7").unwrap().contains("mongosh"));
        assert!(healthcheck_for("mongo").unwrap().contains("mongosh"));
        assert!(
            healthcheck_for("postgres:16")
                .unwrap()
                .contains("pg_isready")
        );
        assert_eq!(tag("redis"), None);
        assert_eq!(tag("redis:7.2"), Some("7.2"));
        assert_eq!(tag("localhost:5000/app"), None);
        assert_eq!(tag("localhost:5000/app:v1"), Some("v1"));
        assert_eq!(tag("redis@sha256:abc"), None);
    }

    #[test]
    fn server_images_are_recognised_with_registries_and_tags() {
        assert_eq!(server_image("postgres:16").unwrap().ports, &[5432]);
        assert_eq!(
            server_image("mongo:4.4.4").unwrap().what,
            "a MongoDB server"
        );
        assert!(server_image("bitnami/postgresql:16").is_some());
        assert!(server_image("mirror.gcr.io/redis:7").is_some());
        assert!(server_image("docker.elastic.co/elasticsearch/elasticsearch:8.13.0").is_some());
        assert!(server_image("nginx:1.27").is_none());
        assert!(server_image("myorg/postgres-backup:1").is_none());
        assert!(
            server_image("registry.gitlab.com/banter-bus/banter-bus-management-api:test").is_none()
        );
    }
}
