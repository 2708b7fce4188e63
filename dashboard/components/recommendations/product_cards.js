// Product cards: rows (a user, or a user and a campaign) of products, each with its picture,
// name, price and category, and the item ID on hover. Mounted by product_cards.py.
//
// Every text of the data is untrusted (typed by whoever exported the shop's catalogue, or a
// user ID someone typed): it is set with textContent, title and src only, never as HTML.
// Pictures: only http(s) URLs and the dashboard's own app/static/ files (Python checked them
// already, services.evaluation.products.safe_image_url); one that fails to load is swapped
// for the placeholder tile, so no broken-image icon is ever drawn.

const STATIC_PREFIX = "app/static/";

function safeSrc(value) {
  if (typeof value !== "string" || value === "") return null;
  if (value.startsWith(STATIC_PREFIX)) return value;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? value : null;
  } catch (error) {
    return null;
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function picture(src, placeholder) {
  const img = el("img", "pc-img");
  img.alt = ""; // the name is written under it; an empty alt never draws a broken icon
  img.referrerPolicy = "no-referrer"; // the shop's image server learns nothing of the page
  img.decoding = "async";
  img.draggable = false;
  const fallback = safeSrc(placeholder);
  img.onerror = () => {
    // once to the placeholder; if even that fails, a plain tile (CSS) without an image
    if (fallback && img.dataset.fallback !== "1") {
      img.dataset.fallback = "1";
      img.src = fallback;
    } else {
      img.onerror = null;
      img.removeAttribute("src");
      img.classList.add("pc-img-none");
    }
  };
  const own = safeSrc(src);
  if (own) {
    img.src = own;
  } else if (fallback) {
    img.dataset.fallback = "1";
    img.src = fallback;
  } else {
    img.classList.add("pc-img-none");
  }
  return img;
}

function card(cell, rowIndex, data, selected, choose) {
  const button = el("button", "pc-card");
  button.type = "button";
  button.dataset.item = cell.item;
  button.dataset.row = String(rowIndex);
  button.title = `${cell.name}\n${data.id_label}: ${cell.item}`;
  if (selected) button.classList.add("pc-selected");
  button.setAttribute("aria-pressed", selected ? "true" : "false");
  const frame = el("span", "pc-frame");
  frame.appendChild(picture(cell.image, data.placeholder));
  // the ID over the picture on hover or keyboard focus (CSS): inside the card, never clipped
  frame.appendChild(el("span", "pc-id", cell.item));
  button.appendChild(frame);
  button.appendChild(el("span", "pc-name", cell.name));
  button.appendChild(el("span", "pc-price", cell.price));
  button.appendChild(el("span", "pc-category", cell.category));
  button.addEventListener("click", () => choose(selected ? null : { row: rowIndex, item: cell.item }));
  return button;
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = el("div", "pc-root");
  const rows = Array.isArray(data?.rows) ? data.rows : [];
  const columns = Array.isArray(data?.columns) ? data.columns : [];
  const chosen = data?.selected || null;
  const choose = (value) => setStateValue("selected", value);
  const grid = el("div", "pc-grid");
  grid.style.setProperty("--pc-columns", String(columns.length));
  grid.appendChild(el("div", "pc-corner", data?.row_name));
  for (const column of columns) grid.appendChild(el("div", "pc-head", column));
  rows.forEach((row, rowIndex) => {
    const whole = chosen && chosen.row === rowIndex && chosen.item === null;
    const label = el("button", "pc-row", row.label);
    label.type = "button";
    label.title = data?.row_hint || "";
    label.dataset.row = String(rowIndex);
    if (row.first) label.classList.add("pc-first");
    if (whole) label.classList.add("pc-selected");
    label.addEventListener("click", () => choose(whole ? null : { row: rowIndex, item: null }));
    grid.appendChild(label);
    const cells = Array.isArray(row.cells) ? row.cells : [];
    for (let i = 0; i < columns.length; i += 1) {
      const cell = cells[i];
      if (cell) {
        const picked = Boolean(chosen && chosen.row === rowIndex && chosen.item === cell.item);
        const node = card(cell, rowIndex, data, picked, choose);
        if (row.first) node.classList.add("pc-first");
        grid.appendChild(node);
      } else {
        grid.appendChild(el("div", row.first ? "pc-empty pc-first" : "pc-empty"));
      }
    }
  });
  root.appendChild(grid);
  // new data runs this function again on the same element: one grid, the newest
  for (const old of parentElement.querySelectorAll(".pc-root")) old.remove();
  parentElement.appendChild(root);
  return () => root.remove();
}
