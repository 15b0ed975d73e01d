// Typed checker events (issue 5 → notifications, status views): every real-server transition,
// weight change and quorum change, as plain data with keepalived's labels. Subscribers get them
// synchronously in the order they happen.

export type CheckEvent =
  | {
      readonly type: 'rs-up' | 'rs-down';
      /** VirtualServer.key and keepalived's label of it. */
      readonly vs: string;
      readonly vsLabel: string;
      readonly rs: string;
      readonly rsLabel: string;
      /** The checker whose verdict changed the server (TCP_CHECK …). */
      readonly checker: string;
      readonly inhibited: boolean;
    }
  | {
      readonly type: 'rs-weight';
      readonly vs: string;
      readonly vsLabel: string;
      readonly rs: string;
      readonly rsLabel: string;
      readonly from: number;
      readonly to: number;
    }
  | {
      readonly type: 'quorum-up' | 'quorum-down';
      readonly vs: string;
      readonly vsLabel: string;
      readonly weightSum: number;
    };

export type CheckEventListener = (e: CheckEvent) => void;
