import { useEffect, useRef, useState } from 'react';
import { postJson, type ModelInfo } from '../../api';
import { base64FromDataUrl, detectFeatures, fitScale, labelPosition, toCanvas, type Detection } from '../../boxes';
import type { Call } from '../../snippets';
import { CopyAs } from '../../components/CopyAs';
import { ErrorNotice } from '../../components/Notice';

interface DetectAnswer {
  responses: { detections?: Detection[]; image?: { width: number; height: number }; error?: { code: number; message: string } }[];
}

const MAX_WIDTH = 640;
const MAX_HEIGHT = 480;

/** An image drop zone (or a webcam snapshot); the boxes, keypoints and scores are drawn over the image. */
export function DetectorForm({ model }: { model: ModelInfo }) {
  const defaults = model.vision!.defaults;
  const [image, setImage] = useState<{ url: string; name: string } | null>(null);
  const [features, setFeatures] = useState({ score_th: defaults.score_th, nms_iou: defaults.nms_iou, maxResults: defaults.maxResults });
  const [detections, setDetections] = useState<Detection[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [call, setCall] = useState<Call | null>(null);
  const [dragging, setDragging] = useState(false);
  const [camera, setCamera] = useState<MediaStream | null>(null);
  const [cameraReady, setCameraReady] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const path = `/v1/vision/${encodeURIComponent(model.name)}:detect`;

  function readFile(file: File | undefined) {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => setImage({ url: String(reader.result), name: file.name });
    reader.onerror = () => setError(`cannot read ${file.name}`);
    reader.readAsDataURL(file);
  }

  // Detect whenever the image or a slider changes (sliders wait until they stop moving).
  useEffect(() => {
    if (!image) return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      const body = { requests: [{ image: { content: base64FromDataUrl(image.url) }, features: [detectFeatures(features)] }] };
      const shown = { requests: [{ image: { content: '<base64 of your image>' }, features: body.requests[0].features }] };
      setCall({ origin: window.location.origin, path, body: shown });
      try {
        const answer = await postJson<DetectAnswer>(path, body);
        if (cancelled) return;
        const first = answer?.responses[0];
        if (first?.error) throw new Error(`${first.error.message} (${first.error.code})`);
        setDetections(first?.detections ?? []);
        setError(null);
      } catch (e) {
        if (!cancelled) {
          setDetections(null);
          setError((e as Error).message);
        }
      }
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [image, features, path]);

  // Draw the image and its boxes.
  useEffect(() => {
    const c = canvas.current;
    if (!c || !image) return;
    const img = new Image();
    img.onload = () => {
      const scale = fitScale(img.naturalWidth, img.naturalHeight, MAX_WIDTH, MAX_HEIGHT);
      c.width = Math.round(img.naturalWidth * scale);
      c.height = Math.round(img.naturalHeight * scale);
      const g = c.getContext('2d');
      if (!g) return;
      g.drawImage(img, 0, 0, c.width, c.height);
      g.lineWidth = 2;
      g.font = '13px system-ui, sans-serif';
      for (const d of detections ?? []) {
        const b = toCanvas(d.box, scale, c.width, c.height);
        g.strokeStyle = '#ffdd00';
        g.strokeRect(b.x, b.y, b.width, b.height);
        const text = `${d.label} ${d.score.toFixed(2)}`;
        const at = labelPosition(b, 18);
        g.fillStyle = '#ffdd00';
        g.fillRect(at.x, at.y, g.measureText(text).width + 8, 18);
        g.fillStyle = '#000';
        g.fillText(text, at.x + 4, at.y + 13);
        g.fillStyle = '#00e5ff';
        for (const k of d.keypoints ?? []) {
          g.beginPath();
          g.arc(k.x * scale, k.y * scale, 3, 0, Math.PI * 2);
          g.fill();
        }
      }
    };
    img.src = image.url;
  }, [image, detections]);

  // The video element exists only once the stream does: attach the stream after it is rendered; stop it on leaving.
  useEffect(() => {
    if (camera && video.current) video.current.srcObject = camera;
    return () => camera?.getTracks().forEach((t) => t.stop());
  }, [camera]);

  async function startCamera() {
    try {
      setCameraReady(false);
      setCamera(await navigator.mediaDevices.getUserMedia({ video: true }));
    } catch (e) {
      setError(`the camera is not available: ${(e as Error).message}`);
    }
  }

  function snapshot() {
    const v = video.current;
    if (!v || !v.videoWidth) {
      setError('the webcam has not shown a picture yet; try again in a moment');
      return;
    }
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    c.getContext('2d')?.drawImage(v, 0, 0);
    setImage({ url: c.toDataURL('image/jpeg', 0.92), name: 'snapshot.jpg' });
  }

  const slider = (key: 'score_th' | 'nms_iou' | 'maxResults', label: string, min: number, max: number, step: number) => (
    <div className="field slider">
      <label htmlFor={`s-${key}`}>
        {label}: <output htmlFor={`s-${key}`}>{features[key]}</output>
      </label>
      <input
        id={`s-${key}`}
        type="range"
        min={min}
        max={max}
        step={step}
        value={features[key]}
        onChange={(e) => setFeatures({ ...features, [key]: Number(e.target.value) })}
      />
    </div>
  );

  return (
    <>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          readFile(e.dataTransfer.files[0]);
        }}
      >
        <p>Drop an image here, or</p>
        <input id="image-file" className="visually-hidden" type="file" accept="image/*" onChange={(e) => readFile(e.target.files?.[0])} />
        <label htmlFor="image-file" className="button-like">
          Choose an image
        </label>
        {typeof navigator.mediaDevices?.getUserMedia === 'function' && !camera && (
          <button type="button" onClick={() => void startCamera()}>
            Use the webcam
          </button>
        )}
      </div>
      {camera && (
        <div className="camera">
          <video ref={video} autoPlay playsInline muted aria-label="Webcam preview" onLoadedData={() => setCameraReady(true)} />
          <div className="actions">
            <button type="button" onClick={snapshot} disabled={!cameraReady} title={cameraReady ? undefined : 'Waiting for the webcam’s first picture'}>
              Take a snapshot
            </button>
            <button type="button" onClick={() => setCamera(null)}>
              Stop the webcam
            </button>
          </div>
        </div>
      )}
      <fieldset className="sliders">
        <legend>Detection settings</legend>
        {slider('score_th', 'Score threshold', 0, 1, 0.05)}
        {slider('nms_iou', 'NMS IoU', 0, 1, 0.05)}
        {slider('maxResults', 'Max results', 1, 100, 1)}
      </fieldset>
      <ErrorNotice error={error} />
      {image && (
        <figure className="detection">
          <canvas
            ref={canvas}
            data-testid="detections-canvas"
            role="img"
            aria-label={`${image.name} with ${detections?.length ?? 0} detection(s) drawn`}
          />
          <figcaption role="status" data-testid="detection-count">
            {detections == null ? 'Detecting…' : `${detections.length} detection(s) in ${image.name}`}
          </figcaption>
        </figure>
      )}
      {detections && detections.length > 0 && (
        <div className="table-wrap">
          <table data-testid="detections">
            <caption>Detections</caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Score</th>
                <th scope="col">x</th>
                <th scope="col">y</th>
                <th scope="col">Width</th>
                <th scope="col">Height</th>
              </tr>
            </thead>
            <tbody>
              {detections.map((d, i) => (
                <tr key={i}>
                  <td>{d.label}</td>
                  <td>{d.score.toFixed(3)}</td>
                  <td>{d.box.x.toFixed(1)}</td>
                  <td>{d.box.y.toFixed(1)}</td>
                  <td>{d.box.width.toFixed(1)}</td>
                  <td>{d.box.height.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {call && <CopyAs call={call} />}
    </>
  );
}
