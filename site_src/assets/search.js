/* Paper archive: header search over the Pagefind index of the paper pages.
 *
 * Nothing of Pagefind is fetched on page load: pagefind.js, its WebAssembly
 * and the index chunks a query needs load when the search opens. Dump text
 * is untrusted: titles and tags go in as text, and excerpts keep only the
 * <mark> highlights Pagefind adds.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var dialog = document.querySelector(".pa-search");
  var opener = document.querySelector(".pa-search-open");
  if (!dialog || !opener) return;
  var input = dialog.querySelector(".pa-search__input");
  var codeBox = dialog.querySelector('input[name="code"]');
  var facetInput = dialog.querySelector(".pa-search__facet");
  var facetList = dialog.querySelector("#pa-search-facets");
  var activeList = dialog.querySelector(".pa-search__active");
  var status = dialog.querySelector(".pa-search__status");
  var list = dialog.querySelector(".pa-search__results");
  var more = dialog.querySelector(".pa-search__more");

  // The header has no slot for a search button without Material's search
  // plugin: put ours where Material puts its own, before the repo link.
  var header = document.querySelector(".md-header__inner");
  if (header) header.insertBefore(opener, header.querySelector(".md-header__source"));
  opener.hidden = false;

  // Site root from Material's relative base_url, so the site also works
  // under a sub-path such as https://user.github.io/repo/.
  function siteRoot() {
    var base = ".";
    var config = document.getElementById("__config");
    if (config) {
      try {
        base = JSON.parse(config.textContent).base || ".";
      } catch (err) {
        /* keep "." */
      }
    }
    return new URL(base.replace(/\/?$/, "/"), document.baseURI);
  }
  var root = siteRoot();

  var pagefind = null;
  function loadPagefind() {
    if (!pagefind) {
      // A large archive's index is built in shards (shards.json lists the
      // folders after the first): each is merged into the first, whose
      // script and WebAssembly search them all.
      var options = { baseUrl: root.pathname, excerptLength: 30 };
      // Revalidated, not taken from the cache: after a redeploy the shards
      // may differ (Pagefind fetches its own entry file afresh too).
      var shardsUrl = new URL("pagefind/shards.json", root).href;
      var listing = fetch(shardsUrl, { cache: "no-cache" }).then(function (r) {
        if (!r.ok) throw new Error("pagefind/shards.json: HTTP " + r.status);
        return r.json();
      });
      pagefind = Promise.all([import(new URL("pagefind/pagefind.js", root).href), listing]).then(
        function (loaded) {
          var pf = loaded[0];
          var shards = loaded[1].shards || [];
          return pf
            .options(options)
            .then(function () {
              return pf.init();
            })
            .then(function () {
              return Promise.all(
                shards.map(function (shard) {
                  return pf.mergeIndex(new URL("pagefind/" + shard, root).href, options);
                })
              );
            })
            .then(function () {
              return pf;
            });
        }
      );
      pagefind.catch(function () {
        pagefind = null; // let a later attempt retry
      });
    }
    return pagefind;
  }

  var filters = { tag: [], dump: [], code: false };
  var results = [];
  var shown = 0;
  var generation = 0; // a newer search makes older answers stale
  var timer = null;

  function pagefindFilters() {
    var f = {};
    if (filters.tag.length) f.tag = { all: filters.tag.slice() };
    if (filters.dump.length) f.dump = { any: filters.dump.slice() };
    if (filters.code) f.code = "yes";
    return f;
  }

  function hasFilters() {
    return filters.tag.length > 0 || filters.dump.length > 0 || filters.code;
  }

  function setStatus(text) {
    status.textContent = text;
  }

  function runSearch() {
    var term = input.value.trim();
    var mine = ++generation;
    renderActive();
    if (!term && !hasFilters()) {
      results = [];
      shown = 0;
      list.replaceChildren();
      more.hidden = true;
      setStatus("");
      return Promise.resolve();
    }
    dialog.setAttribute("aria-busy", "true");
    return loadPagefind()
      .then(function (pf) {
        return pf.search(term || null, { filters: pagefindFilters() });
      })
      .then(function (search) {
        if (mine !== generation || !search) return;
        results = search.results;
        shown = 0;
        list.replaceChildren();
        var n = results.length;
        setStatus(n === 0 ? "No paper matches." : n === 1 ? "1 paper" : n + " papers");
        return showMore(mine);
      })
      .catch(function (err) {
        if (mine === generation) setStatus("Search is unavailable here (" + err.message + ").");
      })
      .finally(function () {
        if (mine === generation) dialog.removeAttribute("aria-busy");
      });
  }

  function showMore(mine) {
    var page = results.slice(shown, shown + PAGE_SIZE);
    return Promise.all(
      page.map(function (r) {
        return r.data();
      })
    ).then(function (pages) {
      if (mine !== generation) return;
      pages.forEach(function (data) {
        list.append(renderResult(data));
      });
      shown += page.length;
      more.hidden = shown >= results.length;
    });
  }

  // Keep Pagefind's <mark> highlights and nothing else: a <template> parses
  // without running or loading anything, then only text is copied out.
  function safeExcerpt(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var out = document.createDocumentFragment();
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.append(mark);
      } else {
        out.append(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function chip(kind, value) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pa-search__chip pa-search__chip--" + kind;
    button.dataset.kind = kind;
    button.dataset.value = value;
    button.textContent = value;
    var active = filters[kind].indexOf(value) >= 0;
    button.setAttribute("aria-pressed", active ? "true" : "false");
    button.title = (active ? "Remove filter " : "Show only papers with ") + kind + " " + value;
    return button;
  }

  function renderResult(data) {
    var item = document.createElement("li");
    item.className = "pa-search__result";
    var link = document.createElement("a");
    link.className = "pa-search__title";
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    item.append(link);
    var f = data.filters || {};
    if (f.code && f.code.length) {
      var badge = document.createElement("span");
      badge.className = "pa-badge pa-badge--code";
      badge.textContent = "Code";
      item.append(" ", badge);
    }
    var excerpt = document.createElement("p");
    excerpt.className = "pa-search__excerpt";
    excerpt.append(safeExcerpt(data.excerpt || ""));
    item.append(excerpt);
    var chips = document.createElement("div");
    chips.className = "pa-search__chips";
    (f.tag || []).forEach(function (tag) {
      chips.append(chip("tag", tag));
    });
    (f.dump || []).forEach(function (dump) {
      chips.append(chip("dump", dump));
    });
    if (chips.childNodes.length) item.append(chips);
    return item;
  }

  function renderActive() {
    activeList.replaceChildren();
    ["tag", "dump"].forEach(function (kind) {
      filters[kind].forEach(function (value) {
        var li = document.createElement("li");
        var button = chip(kind, value);
        button.textContent = kind + ": " + value + " \u00d7";
        li.append(button);
        activeList.append(li);
      });
    });
  }

  function toggleFilter(kind, value) {
    var values = filters[kind];
    var at = values.indexOf(value);
    if (at >= 0) values.splice(at, 1);
    else values.push(value);
    return runSearch();
  }

  // Every tag and dump, with counts, only when the reader asks for the list:
  // the tag filter grows with the archive and no query needs it.
  var facets = new Map();
  function loadFacets() {
    if (facets.size) return;
    loadPagefind()
      .then(function (pf) {
        return pf.filters();
      })
      .then(function (all) {
        var options = [];
        ["tag", "dump"].forEach(function (kind) {
          var counts = all[kind] || {};
          Object.keys(counts)
            .sort()
            .forEach(function (value) {
              var label = kind + ": " + value;
              facets.set(label, [kind, value]);
              var option = document.createElement("option");
              option.value = label;
              option.label = label + " (" + counts[value] + ")";
              options.push(option);
            });
        });
        facetList.replaceChildren.apply(facetList, options);
      })
      .catch(function () {
        /* the status line already reports an unavailable index */
      });
  }

  function pickFacet() {
    var picked = facets.get(facetInput.value);
    if (!picked) return;
    facetInput.value = "";
    if (filters[picked[0]].indexOf(picked[1]) < 0) toggleFilter(picked[0], picked[1]);
  }

  function open() {
    if (!dialog.hidden) {
      input.focus();
      input.select();
      return;
    }
    dialog.hidden = false;
    document.documentElement.classList.add("pa-search-is-open");
    input.focus();
    input.select();
    loadPagefind().catch(function (err) {
      setStatus("Search is unavailable here (" + err.message + ").");
    });
  }

  function close() {
    dialog.hidden = true;
    document.documentElement.classList.remove("pa-search-is-open");
    opener.focus();
  }

  function isEditable(el) {
    return !!(el && el.closest && el.closest("input, textarea, select, [contenteditable]"));
  }

  function inResults(el) {
    return el === input || (el.classList && el.classList.contains("pa-search__title"));
  }

  function moveFocus(step) {
    var links = Array.prototype.slice.call(list.querySelectorAll(".pa-search__title"));
    if (!links.length) return;
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : at + step;
    if (next < 0) return input.focus();
    links[Math.min(next, links.length - 1)].focus();
  }

  opener.addEventListener("click", open);
  dialog.addEventListener("click", function (ev) {
    var target = ev.target.closest("[data-pa-close], .pa-search__chip, .pa-search__more");
    if (!target) return;
    if (target.hasAttribute("data-pa-close")) close();
    else if (target === more) showMore(generation);
    else toggleFilter(target.dataset.kind, target.dataset.value);
  });
  dialog.querySelector("form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = list.querySelector(".pa-search__title");
    if (first) first.click();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(runSearch, 120);
  });
  codeBox.addEventListener("change", function () {
    filters.code = codeBox.checked;
    runSearch();
  });
  facetInput.addEventListener("focus", loadFacets);
  facetInput.addEventListener("input", pickFacet);
  facetInput.addEventListener("change", pickFacet);

  document.addEventListener(
    "keydown",
    function (ev) {
      var ctrlK = (ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key === "k" || ev.key === "K");
      var slash = ev.key === "/" && !ev.ctrlKey && !ev.metaKey && !ev.altKey;
      var handled = true;
      if (ctrlK || (slash && dialog.hidden && !isEditable(ev.target))) open();
      else if (dialog.hidden) handled = false;
      else if (ev.key === "Escape") close();
      else if (ev.key === "ArrowDown" && inResults(ev.target)) moveFocus(1);
      else if (ev.key === "ArrowUp" && inResults(ev.target)) moveFocus(-1);
      else handled = false;
      if (handled) {
        ev.preventDefault();
        ev.stopPropagation(); // keep Material's own shortcuts out of it
      }
    },
    true
  );
})();
