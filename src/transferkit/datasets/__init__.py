"""The demo network: a fictional Qualifizierungsverbund with six pilot projects.

Small, seeded example data shipped with the package (``datasets/demo/``):
companies, pilots, participants, pre/post self-assessments, GAS goals,
training feedback, needs analyses, reflection-loop ratings, action items,
costs and benefits, Kirkpatrick indicators, coder agreement data and
planned learning formats, plus the raw sheet responses they come from.

Modules: ``spec`` (the network's literal data), ``generate`` (draws the responses and
writes ``demo/``), ``tidy`` (the one converter from stored responses to tidy tables, also
used by the reports), ``catalogue`` (names, columns, types, the codebook), ``loader``
(reads the shipped files) and ``importer`` (loads the demo or a CSV into a store).

>>> from transferkit.datasets import list_datasets, read_dataset
>>> read_dataset("pilots")["pilot_id"].tolist()
['P01', 'P02', 'P03', 'P04', 'P05', 'P06']
"""

from transferkit.datasets.catalogue import CATALOGUE, dataset_names, render_codebook
from transferkit.datasets.importer import IMPORT_KINDS, import_demo, import_table
from transferkit.datasets.loader import (
    DemoNetwork,
    list_datasets,
    load_demo,
    read_dataset,
    read_responses,
)

__all__ = [
    "CATALOGUE",
    "IMPORT_KINDS",
    "DemoNetwork",
    "dataset_names",
    "import_demo",
    "import_table",
    "list_datasets",
    "load_demo",
    "read_dataset",
    "read_responses",
    "render_codebook",
]
