import { Component, type ReactNode } from 'react';

/** A page that fails to render shows what went wrong in place, never a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (this.state.error) {
      return (
        <p className="error" role="alert">
          This page failed: {this.state.error.message}. Reload the page to try again.
        </p>
      );
    }
    return this.props.children;
  }
}
