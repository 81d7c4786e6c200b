// The three ways a photo reaches the page: dropped anywhere on it, picked
// with the file input, or pasted from the clipboard. Each hands a Blob to
// `onImage`; decoding happens in the worker.

function firstImage(items) {
  for (const item of items || []) {
    const file = item instanceof Blob ? item : item.kind === 'file' ? item.getAsFile() : null;
    if (file && (file.type.startsWith('image/') || file.type === '')) return file;
  }
  return null;
}

export function attachImageIntake({ dropZone, fileInput, onImage, onReject }) {
  let depth = 0;  // dragenter/dragleave fire for every child element
  const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');

  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    document.body.classList.add('dragging');
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) document.body.classList.remove('dragging');
  });
  window.addEventListener('drop', (e) => {
    depth = 0;
    document.body.classList.remove('dragging');
    if (!e.dataTransfer) return;
    e.preventDefault();  // never navigate away to the dropped file
    const file = firstImage(e.dataTransfer.files) || firstImage(e.dataTransfer.items);
    if (file) onImage(file, 'drop');
    else onReject('That drop held no image file.');
  });

  fileInput.addEventListener('change', () => {
    const file = fileInput.files && fileInput.files[0];
    if (file) onImage(file, 'file');
    fileInput.value = '';  // picking the same file again still fires change
  });

  document.addEventListener('paste', (e) => {
    const file = firstImage(e.clipboardData?.files) || firstImage(e.clipboardData?.items);
    if (!file) return;  // plain text pastes into the query box as usual
    e.preventDefault();
    onImage(file, 'paste');
  });

  dropZone.addEventListener('click', (e) => {
    if (e.target === dropZone) fileInput.click();
  });
}
