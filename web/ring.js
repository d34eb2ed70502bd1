// The LED ring as a circle of its pixels (12, 16 or 24 from the board
// file) in their real places: pixel 0 at twelve o'clock, then clockwise,
// as facewand.ring lays its marks and sim play draws them.
const SVG = "http://www.w3.org/2000/svg";
const R = 92; // the pixels' circle in the drawing's units (viewBox -120..120)

export function layRing(svg, count) {
  svg.replaceChildren();
  const body = document.createElementNS(SVG, "circle");
  body.setAttribute("class", "ring-body");
  body.setAttribute("r", R);
  svg.append(body);
  const size = Math.min(14, (Math.PI * R) / count); // pixels never touch
  const pixels = [];
  for (let i = 0; i < count; i++) {
    const a = (2 * Math.PI * i) / count;
    const c = document.createElementNS(SVG, "circle");
    c.setAttribute("class", "px");
    c.setAttribute("cx", (R * Math.sin(a)).toFixed(2));
    c.setAttribute("cy", (-R * Math.cos(a)).toFixed(2));
    c.setAttribute("r", size.toFixed(2));
    c.setAttribute("fill", "rgb(0, 0, 0)");
    c.dataset.index = i;
    svg.append(c);
    pixels.push(c);
  }
  return pixels;
}

// Colours the pixels from the ring's RGB as hex, 6 digits a pixel (the
// wire bytes as light, from sim/web_wand.py). Returns how many are lit.
export function paintRing(pixels, hex) {
  let lit = 0;
  for (let i = 0; i < pixels.length; i++) {
    const j = 6 * i;
    const r = parseInt(hex.slice(j, j + 2), 16) || 0;
    const g = parseInt(hex.slice(j + 2, j + 4), 16) || 0;
    const b = parseInt(hex.slice(j + 4, j + 6), 16) || 0;
    const fill = `rgb(${r}, ${g}, ${b})`;
    const px = pixels[i];
    if (px.getAttribute("fill") !== fill) {
      px.setAttribute("fill", fill);
      // A lit pixel glows a little beyond itself, as an LED does.
      px.style.filter = r + g + b ? `drop-shadow(0 0 6px ${fill})` : "";
    }
    if (r + g + b) lit++;
  }
  return lit;
}
