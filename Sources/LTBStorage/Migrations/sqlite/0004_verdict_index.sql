-- A page of results reads its verdicts by result (`result_id IN (...)`), column by column,
-- unless the document asks for what only the record holds. This index holds every column that
-- read needs, so it is answered from the index alone, without a look-up of each verdict's row.

CREATE INDEX evaluations_verdicts
    ON evaluations (result_id, metric, state, score, passed, session_id, test_id);
