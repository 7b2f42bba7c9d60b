// Boxes that scroll sideways on this screen (display maths, notebook outputs, tables) take the keyboard
// focus, so that keyboard users can scroll them too, as material does for code blocks.
function focusScrollingBoxes() {
  for (const box of document.querySelectorAll("div.arithmatex, .jp-OutputArea-output, .md-typeset__scrollwrap")) {
    if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
    else box.removeAttribute("tabindex");
  }
}
document$.subscribe(() => document.fonts.ready.then(focusScrollingBoxes)); // maths widths need the maths font
window.addEventListener("resize", focusScrollingBoxes);

// material's search is a dialog with no name (axe: aria-dialog-name)
document.querySelector(".md-search[role=dialog]")?.setAttribute("aria-label", "Search");
