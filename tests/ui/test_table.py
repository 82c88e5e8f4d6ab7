"""The tables' base (artui/ui/widgets/table.py): a table updated all day keeps only the
rendering it can still use, and draws what it holds now.

A tiny app holds one Table; the test updates a cell again and again, letting it draw
between updates, as the services list is updated at every poll.
"""

from __future__ import annotations

from textual.app import App, ComposeResult

from artui.ui.widgets.table import Table
from tests.uihelp import wait_until

ROWS = 20
COLUMNS = 6


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield Table()


async def test_a_table_updated_again_and_again_keeps_one_drawing() -> None:
    app = OneTable()
    async with app.run_test(size=(80, 30)) as pilot:
        table = app.query_one(Table)
        columns = [table.add_column(f"c{c}") for c in range(COLUMNS)]
        rows = [table.add_row(*(f"{r}.{c}" for c in range(COLUMNS))) for r in range(ROWS)]
        held = []
        for n in range(200):
            table.update_cell(rows[n % ROWS], columns[0], f"update {n}", update_width=True)
            await pilot.pause()
            held.append(len(table._cell_render_cache) + len(table._row_render_cache))
        # DataTable alone held every drawing since the start (its caches take up to 10,000
        # cells and 1,000 rows); here only the cells and rows of the last one.
        assert max(held) <= 2 * (ROWS + 1) * (COLUMNS + 1)
        last = "update 199"
        await wait_until(
            pilot,
            lambda: any(last in table.render_line(y).text for y in range(table.size.height)),
            "drawn",
        )
