// params: $id, $kind, $cpu_model, $cores, $logical_cpus, $arch. The Hardware node a benchmark ran
// on, created the first time this machine type is seen.
MERGE (h:Hardware {id: $id})
ON CREATE SET h.kind = $kind, h.cpu_model = $cpu_model, h.cores = $cores,
              h.logical_cpus = $logical_cpus, h.arch = $arch
RETURN h.id AS id
