"""Articles: reading and validating them, and the pages that list them (board, review queue, browse).

Plain Python: the front matter reader (``frontmatter``), the article model
(``model``), the parse memo (``parsing``), browse planning (``browse``) and
the lists' data (``lists``). ``generated`` adds the generated pages to an
MkDocs site for the ``medkb/review`` plugin.
"""
