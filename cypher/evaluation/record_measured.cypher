// params: $uid, $data_sha256, $data_rows, $mapping, $graphcat_version, $ci_low, $ci_high, $estimate, $estimate_low, $estimate_high, $estimate_gap, $label. Marks an Evaluation as measured by graphcat: the file's digest and row count, the input mapping used (JSON), the code version, the bootstrap interval and the transferability estimate it was checked against.
MATCH (e:Evaluation:Catalog {uid: $uid})
SET e.measured_by = 'graphcat', e.measured_at = datetime(), e.data_sha256 = $data_sha256, e.data_rows = $data_rows,
    e.mapping = $mapping, e.graphcat_version = $graphcat_version, e.label_column = $label,
    e.ci_low = $ci_low, e.ci_high = $ci_high,
    e.estimate = $estimate, e.estimate_low = $estimate_low, e.estimate_high = $estimate_high, e.estimate_gap = $estimate_gap
RETURN e.uid AS uid
