//! The tree of groups as the back ends walk it: a node is the pipeline's root, a group or a
//! task, and each node's parent is the group that holds it. Every lookup tolerates an index
//! from another pipeline or out of range, so that checking an invalid pipeline never panics.

use crate::spec::pipeline::Pipeline;

/// A place in the tree of groups: the pipeline's root, a group or a task (ordered so).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Node {
    /// The pipeline's own DAG.
    Root,
    /// A group, by index in [`Pipeline::groups`].
    Group(usize),
    /// A task, by index in [`Pipeline::tasks`].
    Task(usize),
}

/// The tree of groups of one pipeline.
#[derive(Clone, Copy)]
pub(crate) struct Tree<'p> {
    pub(crate) p: &'p Pipeline,
}

impl Tree<'_> {
    /// The node that holds `node`; `None` for the root.
    pub(crate) fn parent(&self, node: Node) -> Option<Node> {
        let group = match node {
            Node::Root => return None,
            Node::Group(g) => self.p.groups.get(g)?.parent,
            Node::Task(t) => self.p.tasks.get(t)?.group,
        };
        Some(group.map_or(Node::Root, Node::Group))
    }

    /// The nodes from the root down to `node`, both included (kfp's parent groups).
    pub(crate) fn path(&self, node: Node) -> Vec<Node> {
        let mut path = vec![node];
        let mut at = node;
        // Groups form a tree; the bound only guards against a malformed pipeline.
        while let Some(parent) = self.parent(at) {
            path.push(parent);
            at = parent;
            if path.len() > self.p.groups.len() + 2 {
                break;
            }
        }
        if path.last() != Some(&Node::Root) {
            path.push(Node::Root);
        }
        path.reverse();
        path
    }

    /// kfp's uncommon ancestors: the nodes of the paths to `a` and to `b` below the deepest
    /// group that holds both.
    pub(crate) fn uncommon(&self, a: Node, b: Node) -> (Vec<Node>, Vec<Node>) {
        let (pa, pb) = (self.path(a), self.path(b));
        let common = pa.iter().zip(&pb).take_while(|(x, y)| x == y).count();
        (pa[common..].to_vec(), pb[common..].to_vec())
    }
}
