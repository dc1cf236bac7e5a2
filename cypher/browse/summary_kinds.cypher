// params: $hidden. How many nodes of each catalog kind (and Hardware) the graph holds, each read from
// Neo4j's count store (one label, no filter): constant time whatever the catalog size, less the
// uids of that kind in $hidden (uids the caller may not see, all of existing nodes, "<kind>:<id>":
// graphcat.store.visibility).
CALL () { MATCH (n:Experiment) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'experiment:']) AS experiment }
CALL () { MATCH (n:Detector) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'detector:']) AS detector }
CALL () { MATCH (n:Task) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'task:']) AS task }
CALL () { MATCH (n:Owner) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'owner:']) AS owner }
CALL () { MATCH (n:Publication) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'publication:']) AS publication }
CALL () { MATCH (n:Dataset) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'dataset:']) AS dataset }
CALL () { MATCH (n:DatasetVersion) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'dataset_version:']) AS dataset_version }
CALL () { MATCH (n:Model) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'model:']) AS model }
CALL () { MATCH (n:ModelVersion) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'model_version:']) AS model_version }
CALL () { MATCH (n:Feature) RETURN count(n) AS feature }
CALL () { MATCH (n:Evaluation) RETURN count(n) - size([u IN $hidden WHERE u STARTS WITH 'evaluation:']) AS evaluation }
CALL () { MATCH (n:Hardware) RETURN count(n) AS hardware }
RETURN {experiment: experiment, detector: detector, task: task, owner: owner, publication: publication,
        dataset: dataset, dataset_version: dataset_version, model: model, model_version: model_version,
        feature: feature, evaluation: evaluation, hardware: hardware} AS counts
