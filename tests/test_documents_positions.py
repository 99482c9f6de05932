"""Positions the import gives rows: those they have when they already give the document's
order (gaps and ties left by the admin), else 0, 1, 2..."""

from escalation.documents.positions import kept_positions


def test_positions_in_the_documents_order_are_kept_gaps_included():
    assert kept_positions([0, 1, 5, 10]) == [0, 1, 5, 10]


def test_a_new_row_or_a_change_of_order_numbers_the_rows_afresh():
    assert kept_positions([0, None, 5]) == [0, 1, 2]
    assert kept_positions([1, 0]) == [0, 1]


def test_ties_are_kept_only_where_the_names_are_in_order():
    assert kept_positions([0, 0, 1], ["Auth", "Billing", "Zebra"]) == [0, 0, 1]
    assert kept_positions([0, 0], ["Billing", "Auth"]) == [0, 1]
    assert kept_positions([0, 0]) == [0, 1]  # unique positions: never tied
