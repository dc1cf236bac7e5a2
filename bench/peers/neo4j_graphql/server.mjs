// The peer of bench/peers_graphql.py (graphcat issue 15): @neo4j/graphql, Neo4j's own
// GraphQL -> Cypher translator, served by @apollo/server (standalone) over the Neo4j graphcat fills.
//
//   NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=... PORT=4000 node server.mjs
//
// Read-only (the schema excludes every mutation). Each response carries `x-peer-queries`: the
// Cypher queries @neo4j/graphql sent to Neo4j for that request (counted at the driver's
// transaction.run; exact when requests come one at a time, as the benchmark sends them).
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const env = (name, fallback) => process.env[name] ?? fallback;
const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(env("NEO4J_URI", "bolt://127.0.0.1:7687"),
  neo4j.auth.basic(env("NEO4J_USER", "neo4j"), env("NEO4J_PASSWORD", "graphcat-dev")));
const database = env("NEO4J_DATABASE", "neo4j");

let sent = 0;
const openSession = driver.session.bind(driver);
driver.session = (config) => {
  const session = openSession(config);
  for (const name of ["executeRead", "executeWrite"]) {
    const execute = session[name].bind(session);
    session[name] = (work, txConfig) => execute((tx) => {
      const run = tx.run.bind(tx);
      tx.run = (...args) => { sent += 1; return run(...args); };
      return work(tx);
    }, txConfig);
  }
  return session;
};

const neoSchema = new Neo4jGraphQL({
  typeDefs: typeDefs + "\nextend schema @mutation(operations: [])\n",
  driver,
});
const schema = await neoSchema.getSchema();
await driver.verifyConnectivity({ database });

const countQueries = {
  async requestDidStart() {
    const before = sent;
    return {
      async willSendResponse({ response }) {
        response.http.headers.set("x-peer-queries", String(sent - before));
      },
    };
  },
};

const server = new ApolloServer({ schema, plugins: [countQueries], introspection: true });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(env("PORT", "4000")) },
  context: async () => ({ sessionConfig: { database } }),
});
console.log(`peer listening on ${url}`);

const stop = async () => { await server.stop(); await driver.close(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
