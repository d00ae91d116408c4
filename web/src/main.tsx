import { createRoot } from 'react-dom/client';

function App() {
  return <main><h1>Visage</h1><p>Sign-in coming up.</p></main>;
}

createRoot(document.getElementById('root')!).render(<App />);
