import KafkaProtocol

/// DescribeCluster (API 60, KIP-700): the admin clients' view of the cluster, the same one
/// broker Metadata reports. Endpoint type 2 (controllers) is refused as a broker does.
extension KafkaBroker {
    func describeCluster(_ r: DescribeClusterRequest, advertised: (host: String, port: Int32)) -> DescribeClusterResponse {
        var response = DescribeClusterResponse()
        response.endpointType = r.endpointType
        guard r.endpointType == 1 else {
            response.errorCode = KafkaError.unsupportedEndpointType
            response.errorMessage = "Wharf has no separate controller endpoints"
            return response
        }
        response.clusterId = clusterId
        response.controllerId = nodeId
        response.brokers = [.init(brokerId: nodeId, host: advertised.host, port: advertised.port, rack: nil)]
        return response
    }
}
