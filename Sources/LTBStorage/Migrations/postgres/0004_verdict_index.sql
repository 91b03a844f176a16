-- A page of results reads its verdicts by result (`result_id IN (...)`), column by column,
-- unless the document asks for what only the record holds. This index holds every column that
-- read needs, so it can be answered by an index-only scan.

CREATE INDEX evaluations_verdicts
    ON evaluations (result_id, metric) INCLUDE (state, score, passed, session_id, test_id);
