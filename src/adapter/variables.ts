/**
 * Variables references: each expandable node of the debugger's variable trees (debugger/views.ts)
 * gets a handle while the machine is stopped; handles are forgotten when it runs again.
 */
import { Handles } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { VarNode } from '../debugger/views';
import { memoryReference } from './references';

/** What a handle stands for: a list of nodes (a scope), or the children of one node. */
export type Container = { readonly nodes: () => VarNode[]; readonly pid: number } | { readonly node: VarNode; readonly pid: number };

export class VariableHandles {
  private readonly handles = new Handles<Container>(1000);

  reset(): void {
    this.handles.reset();
  }

  scope(pid: number, nodes: () => VarNode[]): number {
    return this.handles.create({ nodes, pid });
  }

  get(ref: number): Container | undefined {
    return this.handles.get(ref);
  }

  /** The nodes of a container, `count` from `start` when paged. */
  children(c: Container, start = 0, count?: number): VarNode[] {
    if ('nodes' in c) {
      const all = c.nodes();
      return count === undefined ? all.slice(start) : all.slice(start, start + count);
    }
    const n = c.node;
    if (n.children === undefined) return [];
    const total = n.childCount ?? 10_000;
    return n.children(start, count ?? Math.max(0, total - start));
  }

  toDap(n: VarNode, pid: number): DebugProtocol.Variable {
    const expandable = n.children !== undefined && (n.childCount === undefined || n.childCount > 0);
    const ref = expandable ? this.handles.create({ node: n, pid }) : 0;
    return {
      name: n.name,
      value: n.value,
      type: n.type,
      variablesReference: ref,
      indexedVariables: n.indexed === true ? n.childCount : undefined,
      evaluateName: n.evaluateName,
      memoryReference: n.address === undefined ? undefined : memoryReference(pid, n.address),
    };
  }

  /** The node behind a handle (for evaluate results that expand). */
  nodeRef(n: VarNode, pid: number): number {
    const expandable = n.children !== undefined && (n.childCount === undefined || n.childCount > 0);
    return expandable ? this.handles.create({ node: n, pid }) : 0;
  }
}
