// params: none. How many nodes of each catalog kind (and Hardware) the graph holds, each read from
// Neo4j's count store (one label, no filter): constant time whatever the catalog size.
CALL () { MATCH (n:Experiment) RETURN count(n) AS experiment }
CALL () { MATCH (n:Detector) RETURN count(n) AS detector }
CALL () { MATCH (n:Task) RETURN count(n) AS task }
CALL () { MATCH (n:Owner) RETURN count(n) AS owner }
CALL () { MATCH (n:Publication) RETURN count(n) AS publication }
CALL () { MATCH (n:Dataset) RETURN count(n) AS dataset }
CALL () { MATCH (n:DatasetVersion) RETURN count(n) AS dataset_version }
CALL () { MATCH (n:Model) RETURN count(n) AS model }
CALL () { MATCH (n:ModelVersion) RETURN count(n) AS model_version }
CALL () { MATCH (n:Feature) RETURN count(n) AS feature }
CALL () { MATCH (n:Evaluation) RETURN count(n) AS evaluation }
CALL () { MATCH (n:Hardware) RETURN count(n) AS hardware }
RETURN {experiment: experiment, detector: detector, task: task, owner: owner, publication: publication,
        dataset: dataset, dataset_version: dataset_version, model: model, model_version: model_version,
        feature: feature, evaluation: evaluation, hardware: hardware} AS counts
