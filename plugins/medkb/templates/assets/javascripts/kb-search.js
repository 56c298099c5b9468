/* medkb search: Material's search dialog on Pagefind's chunked index.
   kb.js loads this on first use of the dialog, then Pagefind's script, its
   WebAssembly and the index chunks follow; a query downloads only the chunks
   and result fragments it needs. The header (and this dialog) survives
   instant navigation, so this runs once per visit. */
(() => {
  "use strict";
  const root = document.querySelector(".kb-search[data-kb-search]");
  const toggle = document.getElementById("__search");
  if (!root || !toggle) return;
  const form = root.querySelector("form");
  const input = root.querySelector('input[name="query"]');
  const meta = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  const more = root.querySelector(".kb-search__more");
  const size = Math.max(1, parseInt(root.dataset.kbSearchSize, 10) || 10);
  /* kb.js made the bundle URL absolute on the first page (instant
     navigation may since have moved to a page at another depth). */
  const bundle = new URL(root.dataset.kbSearch, document.baseURI);
  const siteRoot = new URL("../", bundle).pathname;
  let engine = null;
  let results = [];
  let shown = 0;
  let generation = 0;

  const load = () => {
    engine = engine || import(new URL("pagefind.js", bundle).href).then(async (pagefind) => {
      await pagefind.options({ baseUrl: siteRoot, excerptLength: 24 });
      pagefind.init();
      return pagefind;
    });
    return engine;
  };

  const countText = (n) => {
    if (n === 0) return root.dataset.kbSearchNone;
    if (n === 1) return root.dataset.kbSearchOne;
    return root.dataset.kbSearchOther.replace("#", String(n));
  };

  /* Pagefind's excerpt is text with <mark> around the hits; it is rebuilt
     here as text nodes and <mark> elements, never parsed as HTML. */
  const excerptNodes = (excerpt, into) => {
    let marked = false;
    for (const part of excerpt.split(/(<\/?mark>)/)) {
      if (part === "<mark>") marked = true;
      else if (part === "</mark>") marked = false;
      else if (part) {
        const text = document.createTextNode(part.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
        if (marked) into.appendChild(document.createElement("mark")).appendChild(text);
        else into.appendChild(text);
      }
    }
  };

  const item = (data) => {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const link = li.appendChild(document.createElement("a"));
    link.className = "md-search-result__link";
    link.href = data.url;
    const article = link.appendChild(document.createElement("article"));
    article.className = "md-search-result__article md-typeset";
    article.appendChild(document.createElement("h1")).textContent = data.meta.title || data.url;
    if (data.meta.status) {
      const badge = article.appendChild(document.createElement("p")).appendChild(document.createElement("span"));
      badge.className = "kb-badge kb-badge--" + data.meta.status.replace(/[^a-z-]/g, "");
      badge.textContent = data.meta.status_label || data.meta.status;
    }
    /* A match in the title gives an excerpt that repeats the title: the
       article's one-sentence description says more. */
    const title = data.meta.title || "";
    const at = data.plain_excerpt && data.content ? data.content.indexOf(data.plain_excerpt) : -1;
    const inTitle = at >= 0 && at < title.length;
    const text = article.appendChild(document.createElement("p"));
    if (inTitle && data.meta.description) text.textContent = data.meta.description;
    else excerptNodes(data.excerpt || "", text);
    return li;
  };

  const showMore = async (token) => {
    const batch = results.slice(shown, shown + size);
    shown += batch.length;
    const data = await Promise.all(batch.map((r) => r.data()));
    if (token !== generation) return;
    data.forEach((d) => list.appendChild(item(d)));
    more.hidden = shown >= results.length;
  };

  const search = async () => {
    const token = ++generation;
    const query = input.value.trim();
    if (!query) {
      list.replaceChildren();
      more.hidden = true;
      meta.textContent = root.dataset.kbSearchPlaceholder;
      return;
    }
    const pagefind = await load();
    /* Words followed by a space are complete: fetch their index chunks now.
       Prefixes are never preloaded (at 10,000 articles "s" alone would pull
       every chunk of words in s); the search waits for a pause in typing. */
    const words = query.split(/\s+/);
    if (/\s$/.test(input.value)) words.forEach((w) => pagefind.preload(w));
    else words.slice(0, -1).forEach((w) => pagefind.preload(w));
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (token !== generation) return;
    const found = await pagefind.search(query);
    if (token !== generation) return;
    results = found.results;
    shown = 0;
    list.replaceChildren();
    meta.textContent = countText(results.length);
    await showMore(token);
  };

  const open = () => {
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
  };
  const close = () => {
    if (toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
  };

  toggle.addEventListener("change", () => {
    if (toggle.checked) {
      load().catch(() => {});
      input.focus();
      input.select();
    } else {
      input.blur();
    }
  });
  input.addEventListener("focus", open);
  input.addEventListener("input", () => { search().catch(() => { meta.textContent = root.dataset.kbSearchNone; }); });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const first = list.querySelector("a");
    if (first) first.click();
  });
  form.addEventListener("reset", () => {
    setTimeout(() => { search(); input.focus(); });
  });
  more.addEventListener("click", () => {
    const next = list.children.length;
    showMore(generation).then(() => {
      const link = list.children[next] && list.children[next].querySelector("a");
      if (link) link.focus();
    });
  });
  /* Following a result closes the dialog (instant navigation keeps the page). */
  list.addEventListener("click", (ev) => {
    if (ev.target.closest("a")) close();
  });

  /* Loaded because the dialog was opened: catch up with it. */
  if (toggle.checked) {
    load().catch(() => {});
    if (document.activeElement !== input) input.focus();
    if (input.value.trim()) search().catch(() => {});
  }

  /* Keys inside the open dialog (kb.js opens it and closes it on Escape). */
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || !toggle.checked) return;
    const links = Array.from(list.querySelectorAll("a"));
    const at = links.indexOf(document.activeElement);
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!links.length) return;
      ev.preventDefault();
      const step = ev.key === "ArrowDown" ? 1 : -1;
      const next = at + step;
      if (next < 0) input.focus();
      else links[Math.min(next, links.length - 1)].focus();
    } else if (at >= 0 && ev.key.length === 1) {
      input.focus();
    }
  });
})();
