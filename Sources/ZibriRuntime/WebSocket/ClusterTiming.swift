/// How often a node beats, and how long a silent node is thought alive.
package struct ClusterTiming: Sendable {
    package var beatInterval: Duration = .seconds(5)
    package var silenceLimit: Duration = .seconds(30)

    package init() {}
}
