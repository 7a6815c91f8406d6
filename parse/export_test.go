package parse

// Exported for the tests of package parse_test.

// ReplicationDB is the database name of a walsender's Connect.
const ReplicationDB = replicationDB
