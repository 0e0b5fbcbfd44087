export function App() { return <main><h1>Modelhost</h1></main>; }
