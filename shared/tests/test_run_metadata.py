"""Row counts of runs over one partition or a range."""

from dop_shared.run_metadata import partition_figures


def test_one_partition_gets_a_row_count():
    assert partition_figures([{"partition": "2026-01-05", "rows": 7}], rows="rows") == {
        "dagster/row_count": 7
    }


def test_a_range_gets_its_figures_per_partition_and_no_total_row_count():
    records = [{"partition": "2026-01-05", "rows": 7}, {"partition": "2026-01-12", "rows": 3}]
    metadata = partition_figures(records, rows="rows")
    assert "dagster/row_count" not in metadata
    table = metadata["per_partition"]
    assert [r.data for r in table.records] == records
    assert [(c.name, c.type) for c in table.schema.columns] == [
        ("partition", "string"),
        ("rows", "int"),
    ]
